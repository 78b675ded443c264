package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Problem;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.Json;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/**
 * Certwright makes requests on other people's behalf (http-01 validation for an ACME account holder, webhooks for
 * whoever saves an owner's contacts) and builds URLs that clients follow. None of that may be turned against the
 * network it runs in (issue 19, §5):
 * <ul>
 * <li>http-01 follows redirects only to http on the http-01 port and https on the tls-alpn-01 port, at most 10, and
 * tells the account holder in generic words what failed, never what a redirect target answered;</li>
 * <li>webhooks to loopback, link-local, private and other non-public addresses are refused when saved and again when
 * sent, unless {@code certwright.notify.allowed-hosts} lists them;</li>
 * <li>the Host header never reaches a URL: ACME URLs come from {@code certwright.public-https-url}, redirects are
 * relative;</li>
 * <li>the H2 database is 0600 in a 0700 directory; a webhook secret too short stops startup.</li>
 * </ul>
 * The names the ACME orders hold resolve to 127.0.0.1 through pebble-challtestsrv; the "account holder's" web server is
 * an in-test HTTP server on the http-01 port that answers with redirects chosen by the Host it is asked for.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServerSideRequestForgeryIT {

    static final String SECRET = "ssrf-webhook-secret-" + java.util.UUID.randomUUID();
    static final String INTERNAL_CONTENT = "INTERNAL-ONLY-CONTENT-" + java.util.UUID.randomUUID();

    Path work;
    ChallengeTestServer dns;
    HttpServer holder;
    HttpServer internal;
    HttpServer hook;
    CertwrightProcess app;
    SSLContext previousDefault;
    Login login;
    int http01Port;
    int tlsAlpn01Port;
    final Map<String, String> keyAuthorizations = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    final AtomicInteger internalHits = new AtomicInteger();
    final AtomicInteger hookHits = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-ssrf-");
        dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
        http01Port = CertwrightProcess.freePort();
        tlsAlpn01Port = CertwrightProcess.freePort();
        // A service on loopback that validation must never be pointed at: it answers 403 with content the holder must not see.
        internal = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        internal.createContext("/", exchange -> {
            internalHits.incrementAndGet();
            answer(exchange, 403, INTERNAL_CONTENT, null);
        });
        internal.start();
        holder = HttpServer.create(new InetSocketAddress("127.0.0.1", http01Port), 16);
        holder.createContext("/.well-known/acme-challenge/", this::holderAnswers);
        holder.start();
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        hook.createContext("/", exchange -> {
            hookHits.incrementAndGet();
            answer(exchange, 204, "", null);
        });
        hook.start();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), TestDatabase.h2())
                .arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.tls-alpn01-port=" + tlsAlpn01Port)
                .arg("--certwright.acme.dns-resolver=" + dns.dnsResolver()).arg("--certwright.acme.validation-attempts=1")
                .env("CERTWRIGHT_NOTIFY_WEBHOOK_SECRET", SECRET)
                // Configured, not saved through the API: only the connect-time check stands between it and loopback.
                .arg("--certwright.notify.webhook-url=http://127.0.0.1:" + hook.getAddress().getPort() + "/hook")
                .arg("--certwright.notify.scan-interval=PT2S").arg("--certwright.inventory.snapshot-interval=PT2S")
                .arg("--certwright.notify.retry-backoff=PT1S"));
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(CertwrightProcess.trustingRoot(app.root()));
        login = new AccountBuilder().agreeToTermsOfService().useKeyPair(ecKeyPair())
                .createLogin(new Session(URI.create("https://localhost:" + app.httpsPort() + "/acme/directory")));
    }

    @AfterAll
    void stop() {
        if (previousDefault != null) {
            SSLContext.setDefault(previousDefault);
        }
        for (HttpServer server : new HttpServer[] {holder, internal, hook}) {
            if (server != null) {
                server.stop(0);
            }
        }
        if (dns != null) {
            dns.close();
        }
        CertwrightProcess.stopAll(app, TestDatabase.h2(), work);
    }

    /** The account holder's web server: what it answers depends on the name validation asked for. */
    void holderAnswers(HttpExchange exchange) throws IOException {
        String host = exchange.getRequestHeaders().getFirst("Host").replaceAll(":\\d+$", "");
        String path = exchange.getRequestURI().getPath();
        String token = path.substring(path.lastIndexOf('/') + 1);
        String query = exchange.getRequestURI().getQuery();
        int hop = query != null && query.startsWith("hop=") ? Integer.parseInt(query.substring(4)) : 0;
        String name = host.replaceAll("^hop\\d+\\.", "");
        hits.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
        String self = "http://" + name + ":" + http01Port + path;
        switch (name) {
            case "to-other-port.test" -> redirect(exchange, "http://127.0.0.1:" + internal.getAddress().getPort() + path);
            case "to-https-other-port.test" -> redirect(exchange, "https://127.0.0.1:" + internal.getAddress().getPort() + path);
            case "scheme-one.test" -> redirect(exchange, "file:///etc/passwd");
            case "scheme-two.test" -> redirect(exchange, "ftp://127.0.0.1:" + internal.getAddress().getPort() + "/");
            case "to-metadata.test" -> redirect(exchange, "http://169.254.169.254/latest/meta-data/");
            // Redirected for ever (to the same name, relative Location): the 11th redirect is not followed.
            case "loop.test" -> redirect(exchange, path + "?hop=" + (hop + 1));
            // Ten redirects, each to another name on the http-01 port, then the answer: RFC 8555 §8.3 allows it.
            case "ten.test" -> {
                if (hop < 10) {
                    redirect(exchange, "http://hop" + (hop + 1) + ".ten.test:" + http01Port + path + "?hop=" + (hop + 1));
                } else {
                    answer(exchange, 200, keyAuthorizations.getOrDefault(token, ""), null);
                }
            }
            case "eleven.test" -> {
                if (hop < 11) {
                    redirect(exchange, self + "?hop=" + (hop + 1));
                } else {
                    answer(exchange, 200, keyAuthorizations.getOrDefault(token, ""), null);
                }
            }
            default -> answer(exchange, 404, "", null);
        }
    }

    static void redirect(HttpExchange exchange, String location) throws IOException {
        answer(exchange, 302, "", location);
    }

    static void answer(HttpExchange exchange, int status, String body, String location) throws IOException {
        exchange.getRequestBody().readAllBytes();
        if (location != null) {
            exchange.getResponseHeaders().add("Location", location);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            exchange.getResponseBody().write(bytes);
        }
        exchange.close();
    }

    /** Orders a name, triggers its http-01 challenge and waits for the outcome. */
    Http01Challenge validate(String name) throws Exception {
        var order = login.newOrder().domain(name).create();
        Authorization authorization = order.getAuthorizations().get(0);
        Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
        keyAuthorizations.put(challenge.getToken(), challenge.getAuthorization());
        challenge.trigger();
        challenge.waitForCompletion(Duration.ofSeconds(60));
        return challenge;
    }

    @ParameterizedTest
    @ValueSource(strings = {"to-other-port.test", "to-https-other-port.test", "scheme-one.test", "scheme-two.test", "to-metadata.test"})
    void http01RefusesARedirectToAnotherPortOrSchemeAndSaysNothingOfTheTarget(String name) throws Exception {
        Http01Challenge challenge = validate(name);
        assertThat(challenge.getStatus()).isEqualTo(Status.INVALID);
        Problem problem = challenge.getError().orElseThrow();
        assertThat(problem.getType().toString()).isEqualTo("urn:ietf:params:acme:error:connection");
        assertGeneric(problem.getDetail().orElseThrow());
        assertThat(problem.getDetail().orElseThrow()).contains("redirected to a URL that validation does not follow");
        assertThat(internalHits.get()).as("the internal service was never reached").isZero();
    }

    @Test
    void http01FollowsTenRedirectsAcrossNamesOnTheHttp01PortButNotEleven() throws Exception {
        assertThat(validate("ten.test").getStatus()).isEqualTo(Status.VALID);
        assertThat(hits.get("ten.test").get()).isEqualTo(11);

        Http01Challenge eleven = validate("eleven.test");
        assertThat(eleven.getStatus()).isEqualTo(Status.INVALID);
        assertThat(eleven.getError().orElseThrow().getDetail().orElseThrow()).contains("redirected more than 10 times");
        assertThat(hits.get("eleven.test").get()).as("the first request and 10 redirects").isEqualTo(11);

        Http01Challenge loop = validate("loop.test");
        assertThat(loop.getStatus()).isEqualTo(Status.INVALID);
        assertGeneric(loop.getError().orElseThrow().getDetail().orElseThrow());
        assertThat(hits.get("loop.test").get()).isEqualTo(11);
        assertThat(internalHits.get()).isZero();
    }

    /**
     * tls-alpn-01 to a port where nothing listens, and dns-01 with no record: the same generic words, no "Connection
     * refused", no address, no resolver.
     */
    @Test
    void tlsAlpn01AndDns01FailuresAreToldInGenericWords() throws Exception {
        var order = login.newOrder().domain("closed-port.test").create();
        Authorization authorization = order.getAuthorizations().get(0);
        var tls = authorization.findChallenge(org.shredzone.acme4j.challenge.TlsAlpn01Challenge.class).orElseThrow();
        tls.trigger();
        assertThat(tls.waitForCompletion(Duration.ofSeconds(60))).isEqualTo(Status.INVALID);
        Problem tlsProblem = tls.getError().orElseThrow();
        assertThat(tlsProblem.getType().toString()).isEqualTo("urn:ietf:params:acme:error:tls");
        assertThat(tlsProblem.getDetail().orElseThrow()).isEqualTo("the tls-alpn-01 handshake with closed-port.test failed");

        var other = login.newOrder().domain("no-record.test").create().getAuthorizations().get(0);
        var dns01 = other.findChallenge(org.shredzone.acme4j.challenge.Dns01Challenge.class).orElseThrow();
        dns01.trigger();
        assertThat(dns01.waitForCompletion(Duration.ofSeconds(60))).isEqualTo(Status.INVALID);
        String detail = dns01.getError().orElseThrow().getDetail().orElseThrow();
        assertThat(detail).isEqualTo("no TXT record at _acme-challenge.no-record.test");
        assertGeneric(detail);
        assertThat(detail).doesNotContain(dns.dnsResolver());
    }

    /** What the account holder reads: what failed, and nothing of what was found, where, or how it broke. */
    void assertGeneric(String detail) {
        assertThat(detail).doesNotContainPattern("\\b" + internal.getAddress().getPort() + "\\b").doesNotContain("127.0.0.1")
                .doesNotContain("169.254").doesNotContain(INTERNAL_CONTENT).doesNotContainPattern("\\b403\\b").doesNotContain("Exception")
                .doesNotContain("java.").doesNotContainIgnoringCase("connection refused").doesNotContain("passwd").doesNotContain("ftp")
                .doesNotContain("file:");
    }

    @Test
    void theHostHeaderReachesNoUrl() throws Exception {
        String base = "https://localhost:" + app.httpsPort() + "/acme/";
        String directory = raw("GET /acme/directory HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(directory).startsWith("HTTP/1.1 200").doesNotContain("evil.example");
        var json = Json.parse(directory.substring(directory.indexOf("\r\n\r\n") + 4));
        for (String resource : List.of("newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo")) {
            assertThat(json.get(resource).asString()).startsWith(base);
        }
        String nonce = raw("HEAD /acme/new-nonce HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(nonce).contains("<" + base + "directory>;rel=\"index\"").doesNotContain("evil.example");
        // The dashboard's sign-in redirect is relative, whatever Host said.
        String page = raw("GET /certificates HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n");
        assertThat(page).startsWith("HTTP/1.1 302").doesNotContain("evil.example").containsIgnoringCase("\r\nLocation: /login\r\n");
        String expired = raw("GET /certificates HTTP/1.1\r\nHost: evil.example\r\nCookie: JSESSIONID=0123456789ABCDEF\r\nConnection: close\r\n\r\n");
        assertThat(expired).startsWith("HTTP/1.1 302").doesNotContain("evil.example");
    }

    String raw(String request) throws IOException {
        try (SSLSocket socket = (SSLSocket) CertwrightProcess.trustingRoot(app.root()).getSocketFactory().createSocket("127.0.0.1",
                app.httpsPort())) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data/",
            "http://[::ffff:169.254.169.254]/", "http://[::1]:8443/", "https://10.1.2.3/hook", "https://192.168.0.10/hook",
            "https://100.64.0.1/hook", "http://[fd00::1]/hook", "http://0.0.0.0/hook", "http://224.0.0.251/hook"})
    void aWebhookToANonPublicAddressIsRefusedWhenSaved(String webhook) {
        var refused = app.send("PUT", "/api/v1/owners/team-ssrf/contacts", app.adminToken(), "application/json",
                Json.write(Map.of("webhooks", List.of(webhook + "?token=hook-secret"))));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("detail").asString()).contains("certwright.notify.allowed-hosts").doesNotContain("hook-secret");
        assertThat(app.get("/api/v1/owners/team-ssrf/contacts", app.adminToken()).json().get("webhooks")).isEmpty();
    }

    @Test
    void aPublicWebhookIsSaved() {
        // TEST-NET-3 (RFC 5737) is not a special-purpose range for this rule; team-public owns no certificate, so nothing is sent.
        var saved = app.send("PUT", "/api/v1/owners/team-public/contacts", app.adminToken(), "application/json",
                Json.write(Map.of("webhooks", List.of("https://203.0.113.10/hook"))));
        assertThat(saved.status()).as(saved.toString()).isEqualTo(200);
    }

    /** The configured webhook on loopback, never saved through the API: the sending client's resolver refuses it. */
    @Test
    void aWebhookToLoopbackIsRefusedAtConnectTime(@TempDir Path dir) throws Exception {
        Openssl openssl = new Openssl(dir);
        openssl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "soon.key", "-subj",
                "/CN=soon.test", "-addext", "subjectAltName=DNS:soon.test", "-days", "2", "-out", "soon.pem").assertSuccess();
        var imported = app.postJson("/api/v1/certificates/import", app.adminToken(), Map.of("pem", new String(openssl.read("soon.pem"),
                StandardCharsets.US_ASCII), "owner", "team-soon"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        org.awaitility.Awaitility.await("the refused webhook in the log").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> app.log().contains("refused: its host resolves to a loopback address"));
        assertThat(app.log()).contains("refused: its host resolves to a loopback address");
        assertThat(app.get("/actuator/prometheus", app.adminToken()).body())
                .contains("certwright_notices_total{channel=\"webhook\",outcome=\"failed\"");
        assertThat(hookHits.get()).as("the loopback webhook was never called").isZero();
    }

    @Test
    void theH2DatabaseIsTheOwnersAlone() throws Exception {
        Path db = app.dataDir().resolve("db");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(db))).isEqualTo("rwx------");
        try (Stream<Path> files = Files.list(db)) {
            List<Path> all = files.toList();
            assertThat(all).extracting(p -> p.getFileName().toString()).contains("certwright.mv.db");
            for (Path file : all) {
                assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as(file.toString()).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aWebhookSecretShorterThan16CharactersStopsStartup(@TempDir Path dir) {
        try (CertwrightProcess broken = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .env("CERTWRIGHT_NOTIFY_WEBHOOK_SECRET", "too-short-123").noWait())) {
            assertThat(broken.awaitExit(Duration.ofSeconds(120))).isNotZero();
            assertThat(broken.log()).contains("APPLICATION FAILED TO START")
                    .contains("certwright.notify.webhook-secret must be at least 16 characters long").doesNotContain("too-short-123");
        }
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }
}
