package dev.certwright.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;

/**
 * Let's Encrypt's test ACME server, Debian's {@code pebble}, with {@code pebble-challtestsrv} as its DNS resolver
 * (every A query answered 127.0.0.1), both on loopback ports. Its TLS key and certificate are made by openssl at run
 * time in the test's folder. Missing binaries skip the test, except under {@code CI=true}, where they fail.
 */
public final class Pebble implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final int port;
    private final int managementPort;
    private final Path certificate;

    private Pebble(int port, int managementPort, Path certificate) {
        this.port = port;
        this.managementPort = managementPort;
        this.certificate = certificate;
    }

    /** Fails under CI, else skips, when pebble or pebble-challtestsrv is not installed. */
    public static void requireInstalled() {
        boolean present = Files.isExecutable(Path.of("/usr/bin/pebble")) && Files.isExecutable(Path.of("/usr/bin/pebble-challtestsrv"));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError("pebble and pebble-challtestsrv are needed: apt-get install pebble");
        }
        Assumptions.assumeTrue(present, "pebble is not installed (apt-get install pebble)");
    }

    /** A port pebble will listen on, chosen before Certwright starts so its ca-config can name the directory. */
    public static int[] ports() throws IOException {
        return new int[] {CertwrightProcess.freePort(), CertwrightProcess.freePort()};
    }

    /**
     * Starts pebble on {@code ports} with http-01 validation against {@code httpPort} and the given resolver, or
     * pebble-challtestsrv when {@code dnsServer} is null.
     */
    public static Pebble start(Path dir, int[] ports, int httpPort, String dnsServer) throws IOException {
        requireInstalled();
        Files.createDirectories(dir);
        Path cert = tlsCertificate(dir);
        Path key = dir.resolve("pebble-key.pem");
        Pebble pebble = new Pebble(ports[0], ports[1], cert);
        try {
            String resolver = dnsServer;
            if (resolver == null) {
                int dns = CertwrightProcess.freePort();
                int management = CertwrightProcess.freePort();
                pebble.launch(dir, "challtestsrv.log", List.of("/usr/bin/pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
                        "-dns01", "127.0.0.1:" + dns, "-http01", "", "-https01", "", "-tlsalpn01", "", "-management", "127.0.0.1:" + management));
                resolver = "127.0.0.1:" + dns;
                HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                Awaitility.await("pebble-challtestsrv listening").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                        .ignoreExceptions().until(() -> plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management
                                + "/clear-request-history")).POST(HttpRequest.BodyPublishers.ofString("{\"host\":\"x\",\"type\":\"http\"}"))
                                .build(), HttpResponse.BodyHandlers.discarding()).statusCode() < 500);
            }
            Path config = dir.resolve("pebble-config.json");
            Files.writeString(config, """
                    {"pebble": {"listenAddress": "127.0.0.1:%d", "managementListenAddress": "127.0.0.1:%d",
                      "certificate": "%s", "privateKey": "%s", "httpPort": %d, "tlsPort": 5001, "ocspResponderURL": "",
                      "externalAccountBindingRequired": false}}
                    """.formatted(ports[0], ports[1], cert, key, httpPort));
            pebble.launch(dir, "pebble.log", List.of("/usr/bin/pebble", "-config", config.toString(), "-dnsserver", resolver));
            HttpClient client = pebble.client();
            Awaitility.await("pebble listening").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> client.send(HttpRequest.newBuilder(pebble.directory()).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode() == 200);
            return pebble;
        } catch (RuntimeException | IOException e) {
            pebble.close();
            throw e;
        }
    }

    /**
     * Pebble's TLS certificate in this folder, made (with its key) by openssl the first time: the trustBundle a
     * Certwright ca-config names before pebble starts.
     */
    public static Path tlsCertificate(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path key = dir.resolve("pebble-key.pem");
        Path cert = dir.resolve("pebble-cert.pem");
        if (!Files.exists(cert)) {
            Commands.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                    key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1").assertSuccess();
        }
        return cert;
    }

    private void launch(Path dir, String log, List<String> command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(log).toFile()));
        builder.environment().put("PEBBLE_VA_NOSLEEP", "1");
        builder.environment().put("PEBBLE_WFE_NONCEREJECT", "0");
        builder.environment().put("PEBBLE_AUTHZREUSE", "0");
        processes.add(builder.start());
    }

    /** The directory URL. */
    public URI directory() {
        return URI.create("https://127.0.0.1:" + port + "/dir");
    }

    /** The PEM file of pebble's own TLS certificate: the trustBundle that pins it. */
    public Path tlsCertificate() {
        return certificate;
    }

    /** A client that trusts pebble's TLS certificate, for its directory and management interface. */
    public HttpClient client() {
        try {
            var cert = (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(Files.newInputStream(certificate));
            return HttpClient.newBuilder().sslContext(CertwrightProcess.trustingRoot(cert)).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Pebble's management view of a certificate's status by its hex serial: {@code Valid} or {@code Revoked}. */
    public String status(String serialHex) throws Exception {
        HttpResponse<String> response = client().send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + managementPort
                + "/cert-status-by-serial/" + serialHex)).build(), HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    @Override
    public void close() {
        for (Process process : processes) {
            process.destroy();
        }
        for (Process process : processes) {
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
