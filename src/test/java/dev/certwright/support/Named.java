package dev.certwright.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Record;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * Debian's BIND 9 {@code named}, in the foreground on a loopback port, primary for one zone the test writes, which
 * accepts RFC 2136 updates signed with a TSIG key (hmac-sha256) made at run time. Missing skips the test, except under
 * {@code CI=true}, where it fails.
 */
public final class Named implements AutoCloseable {

    public static final String KEY_NAME = "certwright-update";

    private final Process process;
    private final int port;
    private final String secret;

    private Named(Process process, int port, String secret) {
        this.process = process;
        this.port = port;
        this.secret = secret;
    }

    /** Fails under CI, else skips, when named is not installed. */
    public static void requireInstalled() {
        boolean present = Files.isExecutable(Path.of("/usr/sbin/named"));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("named is needed: apt-get install bind9 bind9-utils");
        }
        Assumptions.assumeTrue(present, "named is not installed (apt-get install bind9)");
    }

    /** Starts named as the primary of {@code zone}, with a fresh TSIG secret. */
    public static Named start(Path dir, String zone) throws IOException {
        requireInstalled();
        Files.createDirectories(dir);
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        String secret = Base64.getEncoder().encodeToString(key);
        int port = CertwrightProcess.freePort();
        Files.writeString(dir.resolve("zone.db"), """
                $TTL 60
                @ IN SOA ns.%1$s. hostmaster.%1$s. 1 3600 600 86400 60
                @ IN NS ns.%1$s.
                ns IN A 127.0.0.1
                """.formatted(zone));
        Path conf = dir.resolve("named.conf");
        Files.writeString(conf, """
                options {
                  directory "%1$s";
                  pid-file "%1$s/named.pid";
                  session-keyfile "%1$s/session.key";
                  listen-on port %2$d { 127.0.0.1; };
                  listen-on-v6 { none; };
                  recursion no;
                  dnssec-validation no;
                };
                controls { };
                key "%3$s" { algorithm hmac-sha256; secret "%4$s"; };
                zone "%5$s" { type primary; file "%1$s/zone.db"; allow-update { key "%3$s"; }; };
                """.formatted(dir, port, KEY_NAME, secret, zone));
        Process process = new ProcessBuilder("/usr/sbin/named", "-g", "-c", conf.toString()).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("named.log").toFile())).start();
        Named named = new Named(process, port, secret);
        try {
            Awaitility.await("named answering").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("named exited:\n" + Files.readString(dir.resolve("named.log")));
                        }
                        return named.lookup("ns." + zone, Type.A).length == 1;
                    });
        } catch (RuntimeException e) {
            named.close();
            throw e;
        }
        return named;
    }

    /** host:port of the server, for pebble's -dnsserver and Certwright's dns.server. */
    public String address() {
        return "127.0.0.1:" + port;
    }

    /** The TSIG secret, base64, for the test's environment variable only. */
    public String secret() {
        return secret;
    }

    /** The records of this name and type the server holds now. */
    public Record[] lookup(String name, int type) throws IOException {
        SimpleResolver resolver = new SimpleResolver("127.0.0.1");
        resolver.setPort(port);
        resolver.setTCP(true);
        resolver.setTimeout(Duration.ofSeconds(2));
        Lookup lookup = new Lookup(name.endsWith(".") ? name : name + ".", type);
        lookup.setResolver(resolver);
        lookup.setCache(null);
        Record[] records = lookup.run();
        return records == null ? new Record[0] : records;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
