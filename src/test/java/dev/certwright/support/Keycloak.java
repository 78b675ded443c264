package dev.certwright.support;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import org.awaitility.Awaitility;

/**
 * Keycloak from its distribution on Maven Central ({@code org.keycloak:keycloak-quarkus-dist}, unpacked by the build
 * into {@code target/keycloak}), started in development mode on a loopback port with a realm the test gives, which it
 * imports at start. The data it keeps is removed before each start, so every test class begins with its realm only.
 */
public final class Keycloak implements AutoCloseable {

    public static final String REALM = "certwright";

    private final Process process;
    private final int port;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Keycloak(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Where the build unpacked the distribution; a missing one fails (CI=true) or skips the test. */
    public static Path home() {
        Path home = Path.of(System.getProperty("certwright.keycloak.home", CertwrightProcess.PROJECT.resolve("target/keycloak/keycloak").toString()));
        DiscoveryPeers.require(home.resolve("bin/kc.sh").toString());
        return home;
    }

    /** Starts Keycloak on {@code port} with the realm (JSON) imported; waits until the realm's discovery document answers. */
    public static Keycloak start(int port, String realmJson) throws IOException {
        Path home = home();
        Path data = home.resolve("data");
        if (Files.exists(data)) {
            try (var files = Files.walk(data)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(data.resolve("import"));
        Files.writeString(data.resolve("import/" + REALM + "-realm.json"), realmJson);
        Path log = Files.createTempFile("certwright-keycloak-", ".log");
        ProcessBuilder builder = new ProcessBuilder(home.resolve("bin/kc.sh").toString(), "start-dev", "--import-realm", "--http-host=127.0.0.1",
                "--http-port=" + port, "--hostname=http://localhost:" + port, "--cache=local", "--log-level=WARN")
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx768m");
        Process process = builder.start();
        Keycloak keycloak = new Keycloak(process, port, log);
        try {
            Awaitility.await("Keycloak on port " + port).atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500)).until(() -> {
                if (!process.isAlive()) {
                    throw new AssertionError("Keycloak exited with " + process.exitValue() + ":\n" + keycloak.log());
                }
                return keycloak.discoveryAnswers();
            });
        } catch (RuntimeException | Error e) {
            keycloak.close();
            throw new AssertionError("Keycloak did not start:\n" + keycloak.log(), e);
        }
        return keycloak;
    }

    private boolean discoveryAnswers() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(issuer() + "/.well-known/openid-configuration")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The realm's issuer, as its tokens name it. */
    public String issuer() {
        return "http://localhost:" + port + "/realms/" + REALM;
    }

    public int port() {
        return port;
    }

    /** An access token by the client-credentials grant (RFC 6749 §4.4). */
    public String clientCredentialsToken(String clientId, String secret) throws IOException, InterruptedException {
        String form = Map.of("grant_type", "client_credentials", "client_id", clientId, "client_secret", secret).entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(issuer() + "/protocol/openid-connect/token"))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(form)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new AssertionError("Keycloak refused the client-credentials grant for " + clientId + ": " + response.body());
        }
        return Json.parse(response.body()).get("access_token").asString();
    }

    /** What Keycloak printed. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
