package dev.certwright.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The real application, started from the packaged jar ({@code target/certwright.jar}) as its own process, the way
 * {@code scripts/run.sh} starts it. It listens on free loopback ports; its output goes to {@code <data-dir>/console.log}.
 */
public final class CertwrightProcess implements AutoCloseable {

    public static final Path PROJECT = Path.of(System.getenv().getOrDefault("CERTWRIGHT_PROJECT_DIR", System.getProperty("user.dir")));
    static final Path JAR = PROJECT.resolve("target/certwright.jar");
    /** How long a start may take; a loaded CI machine can pass -Dcertwright.test.startup-seconds=300. */
    private static final Duration STARTUP = Duration.ofSeconds(Long.getLong("certwright.test.startup-seconds", 120));

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final int httpsPort;
    private final int httpPort;
    private HttpClient client;
    private X509Certificate root;

    /** Servers started by this test JVM, for the suite's count of starts (each is a JVM start and a Spring context). */
    private static final java.util.concurrent.atomic.AtomicInteger STARTS = new java.util.concurrent.atomic.AtomicInteger();

    private CertwrightProcess(Process process, Path dataDir, Path log, int httpsPort, int httpPort) {
        // One line per start in the test's output (target/failsafe-reports/*-output.txt): grep -c counts them per class.
        System.out.println("CertwrightProcess start #" + STARTS.incrementAndGet() + " (data " + dataDir + ")");
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.httpsPort = httpsPort;
        this.httpPort = httpPort;
    }

    /** Options for a start. */
    public static final class Options {
        final Path dataDir;
        final TestDatabase database;
        final Map<String, String> environment = new HashMap<>();
        final List<String> arguments = new ArrayList<>();
        boolean waitUntilReady = true;
        Duration startupLimit = STARTUP;
        int httpPort;
        int httpsPort;

        public Options(Path dataDir, TestDatabase database) {
            this.dataDir = dataDir;
            this.database = database;
        }

        public Options env(String name, String value) {
            environment.put(name, value);
            return this;
        }

        public Options arg(String argument) {
            arguments.add(argument);
            return this;
        }

        /** The plain-HTTP listener's port, when another node must know it before this one starts (else a free one). */
        public Options httpPort(int port) {
            httpPort = port;
            return this;
        }

        /** The HTTPS listener's port, when another party must know it before this node starts (else a free one). */
        public Options httpsPort(int port) {
            httpsPort = port;
            return this;
        }

        /** How long to wait for the node to become healthy (a test that starts a node several times on a busy machine). */
        public Options startupLimit(Duration limit) {
            startupLimit = limit;
            return this;
        }

        /** Start without waiting, for tests that expect startup to fail. */
        public Options noWait() {
            waitUntilReady = false;
            return this;
        }
    }

    public static CertwrightProcess start(Options options) {
        if (!Files.isRegularFile(JAR)) {
            throw new AssertionError(JAR + " is missing: end-to-end tests run after 'mvn package' (mvn verify)");
        }
        try {
            Files.createDirectories(options.dataDir);
            int https = options.httpsPort != 0 ? options.httpsPort : freePort();
            int http = options.httpPort != 0 ? options.httpPort : freePort();
            List<String> command = new ArrayList<>();
            command.add(ProcessHandle.current().info().command().orElse("java"));
            command.add("-Xmx512m");
            // The collector scripts/run.sh uses (CERTWRIGHT_JVM_OPTS). And only the first JIT tier: these servers live
            // for one test class, and on two cores the optimising compiler took about half of each start's CPU (14 ->
            // 7 CPU-seconds per start, 53 starts a suite; decision 65). What the tests check does not depend on the tier.
            command.add("-XX:+UseParallelGC");
            command.add("-XX:TieredStopAtLevel=1");
            command.addAll(JarLaunch.arguments(JAR));
            command.add("--server.port=" + https);
            command.add("--certwright.http-port=" + http);
            command.add("--certwright.data-dir=" + options.dataDir);
            if (options.arguments.stream().noneMatch(a -> a.startsWith("--certwright.ca-config="))) {
                command.add("--certwright.ca-config=" + PROJECT.resolve("ca-config/dev.yml"));
            }
            command.addAll(options.database.arguments());
            command.addAll(options.arguments);
            Path log = options.dataDir.resolve("console.log");
            ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().keySet().removeIf(k -> k.startsWith("CERTWRIGHT_") && !k.equals("CERTWRIGHT_PROJECT_DIR"));
            builder.environment().putAll(options.environment);
            CertwrightProcess app = new CertwrightProcess(builder.start(), options.dataDir, log, https, http);
            if (options.waitUntilReady) {
                app.awaitReady(options.startupLimit);
            }
            return app;
        } catch (IOException e) {
            throw new AssertionError("cannot start Certwright", e);
        }
    }

    private void awaitReady(Duration limit) {
        HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        try {
            Awaitility.await("Certwright healthy").atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> healthy(plain));
        } catch (ConditionTimeoutException e) {
            close();
            throw new AssertionError("Certwright did not become healthy within " + limit + ":\n" + logTail());
        }
    }

    /** Whether the plain listener answers 200 on health; fails at once when the process has exited. */
    private boolean healthy(HttpClient plain) throws InterruptedException {
        if (!process.isAlive()) {
            throw new AssertionError("Certwright exited with code " + process.exitValue() + " during startup:\n" + logTail());
        }
        try {
            return plain.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/actuator/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false; // not listening yet
        }
    }

    /** Waits for the process to exit by itself (for startup failures) and returns its exit code. */
    public int awaitExit(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                close();
                throw new AssertionError("Certwright did not exit within " + limit + ":\n" + logTail());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public int httpsPort() {
        return httpsPort;
    }

    public int httpPort() {
        return httpPort;
    }

    public URI https(String path) {
        return URI.create("https://localhost:" + httpsPort + path);
    }

    public URI http(String path) {
        return URI.create("http://localhost:" + httpPort + path);
    }

    /** The admin token the application wrote on first start. */
    public String adminToken() {
        return readSecret("admin-token");
    }

    public String readSecret(String relative) {
        try {
            return Files.readString(dataDir.resolve(relative), StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** The root certificate, fetched over plain HTTP from /ca/dev-root.crt. */
    public synchronized X509Certificate root() {
        if (root == null) {
            try {
                HttpResponse<byte[]> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(http("/ca/dev-root.crt")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (response.statusCode() != 200) {
                    throw new AssertionError("GET /ca/dev-root.crt answered " + response.statusCode());
                }
                root = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(response.body()));
            } catch (Exception e) {
                throw new AssertionError("cannot fetch the root certificate", e);
            }
        }
        return root;
    }

    /**
     * Trusts this anchor instead of /ca/dev-root.crt from now on: a hierarchy whose root is kept elsewhere, or the
     * temporary self-signed certificate a node serves while its issuer awaits its certificate.
     */
    public synchronized void trust(X509Certificate anchor) {
        root = anchor;
        client = null;
    }

    /** The leaf the HTTPS port serves, read without any trust decision (to pin a temporary certificate). */
    public X509Certificate servedLeafUnchecked() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) context.getSocketFactory().createSocket("localhost", httpsPort)) {
                socket.setSoTimeout(5000);
                socket.startHandshake();
                return (X509Certificate) socket.getSession().getPeerCertificates()[0];
            }
        } catch (Exception e) {
            throw new AssertionError("TLS handshake with localhost:" + httpsPort + " failed: " + e.getMessage(), e);
        }
    }

    /** An HTTPS client that trusts our root and nothing else, and checks host names: no "-k". */
    public synchronized HttpClient client() {
        if (client == null) {
            client = HttpClient.newBuilder().sslContext(trustingRoot(root())).connectTimeout(Duration.ofSeconds(5)).build();
        }
        return client;
    }

    public static SSLContext trustingRoot(X509Certificate root) {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("root", root);
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The leaf the HTTPS port serves, after a full handshake validated against our root and the host name. */
    public X509Certificate servedLeaf() {
        try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) trustingRoot(root()).getSocketFactory().createSocket("localhost", httpsPort)) {
            var params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(params);
            socket.setSoTimeout(5000);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            throw new AssertionError("TLS handshake with localhost:" + httpsPort + " failed: " + e.getMessage(), e);
        }
    }

    /** Sends a request with a bearer token (null for none). */
    public Response send(String method, String path, String token, String contentType, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(https(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> response = client().send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                    response.headers().map());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    public Response get(String path, String token, String... headers) {
        return send("GET", path, token, null, null, headers);
    }

    public Response postJson(String path, String token, Object body) {
        return send("POST", path, token, "application/json", body instanceof String s ? s : Json.write(body));
    }

    /** Stops the application (if it started), closes the database and deletes the test's working folder. */
    public static void stopAll(CertwrightProcess app, TestDatabase database, Path work) {
        if (app != null) {
            app.close();
        }
        database.close();
        try (var files = Files.walk(work)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temporary folder left behind
        }
    }

    /** Sends a request to the plain-HTTP listener (CRLs, OCSP, CA certificates) and returns the raw bytes. */
    public Binary plain(String method, String path, String contentType, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<byte[]> response = PLAIN.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Binary(response.statusCode(), response.body(), response.headers().map());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static final HttpClient PLAIN = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** A raw HTTP response. */
    public record Binary(int status, byte[] body, Map<String, List<String>> headers) {

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst()
                    .orElse(null);
        }
    }

    /** An HTTP response. */
    public record Response(int status, String contentType, String body, Map<String, List<String>> headers) {

        public tools.jackson.databind.JsonNode json() {
            return Json.parse(body);
        }

        @Override
        public String toString() {
            return status + " " + contentType + " " + body;
        }
    }

    /** Everything the application printed so far. */
    public String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private String logTail() {
        String text = log();
        return text.length() > 6000 ? text.substring(text.length() - 6000) : text;
    }

    /** Whether the process is still running (false after {@link #kill()} or an exit). */
    public boolean alive() {
        return process.isAlive();
    }

    /** Kills the application (SIGKILL, as a crash would), and waits for it. */
    public void kill() {
        try {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the application as an operator would (SIGTERM), and waits for it. */
    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A free TCP port on this machine, for a test peer. */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
