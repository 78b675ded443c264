package dev.certwright.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * pebble-challtestsrv from Debian's pebble package, on loopback: a DNS server that answers 127.0.0.1 for every name and
 * serves the TXT records a test sets through its management API. Certwright's validation resolves through it
 * ({@code certwright.acme.dns-resolver}), and dns-01 clients set their records on it.
 */
public final class ChallengeTestServer implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int dnsPort;
    private final int managementPort;

    private ChallengeTestServer(Process process, int dnsPort, int managementPort) {
        this.process = process;
        this.dnsPort = dnsPort;
        this.managementPort = managementPort;
    }

    public static ChallengeTestServer start(Path log) throws IOException {
        int dns = CertwrightProcess.freePort();
        int management = CertwrightProcess.freePort();
        Process process;
        try {
            process = new ProcessBuilder(List.of("pebble-challtestsrv", "-dns01", "127.0.0.1:" + dns, "-management", "127.0.0.1:" + management,
                    "-http01", "", "-https01", "", "-tlsalpn01", "")).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new AssertionError("cannot start pebble-challtestsrv (Debian package pebble; scripts/test.sh installs it)", e);
        }
        ChallengeTestServer server = new ChallengeTestServer(process, dns, management);
        try {
            Awaitility.await("pebble-challtestsrv answering").atMost(Duration.ofSeconds(20)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(100)).until(() -> server.configured(process));
            return server;
        } catch (ConditionTimeoutException e) {
            // falls through to the failure below
        }
        server.close();
        throw new AssertionError("pebble-challtestsrv did not start within 20 s");
    }

    /** Whether it took its default address; fails at once when it has exited. */
    private boolean configured(Process process) {
        try {
            post("/set-default-ipv4", "{\"ip\":\"127.0.0.1\"}");
            return true;
        } catch (AssertionError e) {
            if (!process.isAlive()) {
                throw new AssertionError("pebble-challtestsrv exited with " + process.exitValue());
            }
            return false;
        }
    }

    /** host:port of its DNS server, for {@code certwright.acme.dns-resolver}. */
    public String dnsResolver() {
        return "127.0.0.1:" + dnsPort;
    }

    public String managementUrl() {
        return "http://127.0.0.1:" + managementPort;
    }

    public void setTxt(String host, String value) {
        post("/set-txt", "{\"host\":\"" + (host.endsWith(".") ? host : host + ".") + "\",\"value\":\"" + value + "\"}");
    }

    private void post(String path, String body) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(managementUrl() + path)).timeout(Duration.ofSeconds(5))
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new AssertionError("pebble-challtestsrv " + path + " answered " + response.statusCode() + ": " + response.body());
            }
        } catch (IOException e) {
            throw new AssertionError("pebble-challtestsrv " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toMillis(5), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.destroyForcibly();
    }
}
