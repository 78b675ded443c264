package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;


import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The foundation, end to end, against the packaged application: issue from openssl-made CSRs and let openssl verify the
 * result, refuse bad requests with problem documents and no partial state, enforce roles, keep managed keys, restart
 * with everything intact, and never log a secret. Subclasses choose the database.
 *
 * <p>The tests share one server, started in {@code @BeforeAll}, and pass in any order and alone: each issues the
 * certificates, managed certificates and tokens it looks at, under names of its own ({@link #unique}), and a test
 * about global state (row counts, the audit chain, the logs) asserts what holds whatever ran before it. The restart
 * test restarts that shared server with its data directory and database, so the tests after it see the same state.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class IssuanceEndToEnd {

    Path work;
    TestDatabase database;
    CertwrightProcess app;
    String admin;
    Path dataDir;
    final List<String> secretsSeen = new ArrayList<>();

    abstract TestDatabase database();

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-e2e-");
        database = database();
        dataDir = work.resolve("data");
        app = CertwrightProcess.start(new CertwrightProcess.Options(dataDir, database));
        admin = app.adminToken();
        secretsSeen.add(admin);
        secretsSeen.add(app.readSecret("admin-password"));
        secretsSeen.add(app.readSecret("ca/passphrase"));
        Files.writeString(work.resolve("root.pem"), pem(app.root()), StandardCharsets.UTF_8);
    }

    @AfterAll
    void stop() {
        CertwrightProcess.stopAll(app, database, work);
    }

    // --- issuance ---

    static Stream<Arguments> keyTypes() {
        return Stream.of(
                Arguments.of("EC-P256", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256")),
                Arguments.of("EC-P384", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384")),
                Arguments.of("RSA-2048", List.of("-newkey", "rsa:2048")),
                Arguments.of("RSA-3072", List.of("-newkey", "rsa:3072")),
                Arguments.of("Ed25519", List.of("-newkey", "ed25519")));
    }

    @ParameterizedTest(name = "a {0} CSR from openssl is issued, and openssl verify -x509_strict accepts the result")
    @MethodSource("keyTypes")
    void issuesFromAnOpensslCsrThatOpensslVerifies(String keyName, List<String> keyArgs) throws Exception {
        String csr = opensslCsr("/CN=web.test", "subjectAltName=DNS:web.test,DNS:api.test,IP:127.0.0.2", keyArgs);
        Response response = app.postJson("/api/v1/certificates", admin, Map.of("csr", csr, "profile", "tls-server", "owner", "team-web",
                "tags", List.of("prod", "web")));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        JsonNode body = response.json();
        assertThat(body.get("status").asString()).isEqualTo("ISSUED");
        assertThat(body.get("keyAlgorithm").asString()).isEqualTo(keyName);
        assertThat(body.get("sans").toString()).contains("web.test", "api.test", "127.0.0.2");
        assertThat(response.headers().get("location").get(0)).endsWith("/api/v1/certificates/" + body.get("serial").asString());

        Path leaf = write("leaf-" + keyName + ".pem", body.get("certificatePem").asString());
        Path chain = write("chain-" + keyName + ".pem", body.get("chainPem").asString());
        Commands.Result verify = openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted",
                chain.getFileName().toString(), leaf.getFileName().toString());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains(leaf.getFileName() + ": OK");

        X509Certificate certificate = parse(body.get("certificatePem").asString());
        assertThat(certificate.getSerialNumber().toByteArray().length).isLessThanOrEqualTo(16);
        assertThat(certificate.getSerialNumber().signum()).isPositive();
        String text = openssl("x509", "-in", leaf.getFileName().toString(), "-noout", "-text").assertSuccess().output();
        assertThat(text).contains("URI:http://localhost:" + app.httpPort() + "/crl/dev-issuing.crl")
                .contains("OCSP - URI:http://localhost:" + app.httpPort() + "/ocsp")
                .contains("CA Issuers - URI:http://localhost:" + app.httpPort() + "/ca/dev-issuing.crt")
                .contains("TLS Web Server Authentication").contains("CA:FALSE");

        // The serial is found in any case, with or without colons; the PEM chain is leaf then intermediate.
        String serial = body.get("serial").asString();
        String colons = String.join(":", serial.toUpperCase().split("(?<=\\G..)"));
        Response byColons = app.get("/api/v1/certificates/" + colons, admin);
        assertThat(byColons.status()).isEqualTo(200);
        assertThat(byColons.json().get("fingerprintSha256").asString()).isEqualTo(body.get("fingerprintSha256").asString());
        Response pemChain = app.get("/api/v1/certificates/" + serial, admin, "Accept", "application/pem-certificate-chain");
        assertThat(pemChain.contentType()).startsWith("application/pem-certificate-chain");
        assertThat(pemChain.body().split("BEGIN CERTIFICATE", -1)).hasSize(3);
    }

    @Test
    void clientProfileCertificatesVerifyForClientsOnly() throws Exception {
        String csr = opensslCsr("/CN=svc.internal", "subjectAltName=DNS:svc.internal", List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
        Response response = app.postJson("/api/v1/certificates", admin, Map.of("csr", csr, "profile", "tls-client", "owner", "svc"));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        Path leaf = write("client.pem", response.json().get("certificatePem").asString());
        write("client-chain.pem", response.json().get("chainPem").asString());
        assertThat(openssl("verify", "-x509_strict", "-purpose", "sslclient", "-CAfile", "root.pem", "-untrusted", "client-chain.pem",
                leaf.getFileName().toString()).exitCode()).isZero();
        assertThat(openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "client-chain.pem",
                leaf.getFileName().toString()).exitCode()).isNotZero();
    }

    @Test
    void aRequestedValidityWithinTheProfileIsHonoured() throws Exception {
        String csr = opensslCsr("/CN=short.test", null, List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"));
        Instant before = Instant.now();
        Response response = app.postJson("/api/v1/certificates", admin, Map.of("csr", csr, "profile", "short-lived", "owner", "ops", "validity", "PT5M"));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        Instant notAfter = Instant.parse(response.json().get("notAfter").asString());
        assertThat(Duration.between(before, notAfter)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(6));
        assertThat(response.json().get("sans").toString()).contains("short.test");
    }

    // --- refusals: a clear problem document, and nothing stored ---

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("a DNS name outside the policy", 422, "rejected-identifier", "evil.example.com"),
                Arguments.of("an IP address outside the policy", 422, "rejected-identifier", "10.1.2.3"),
                Arguments.of("an RSA key of 1024 bits", 422, "bad-key", "1024 bits"),
                Arguments.of("an RSA exponent of 3", 422, "bad-key", "exponent 3"),
                Arguments.of("a CSR whose signature does not verify", 400, "malformed-certificate-data", "signature"),
                Arguments.of("an unknown profile", 422, "unknown-profile", "no-such-profile"),
                Arguments.of("a validity above the profile's", 422, "bad-validity", "short-lived"),
                Arguments.of("malformed JSON", 400, "malformed-request", "JSON"),
                Arguments.of("an unknown field", 400, "malformed-request", "unknown field 'csrr'"),
                Arguments.of("missing fields", 400, "invalid-request", "owner"),
                Arguments.of("text that is not PEM", 400, "malformed-certificate-data", "PEM"),
                Arguments.of("a validity that is not a duration", 400, "malformed-request", "ISO-8601 duration"),
                Arguments.of("a bad tag", 400, "invalid-request", "tags"),
                Arguments.of("an oversized body", 413, "request-too-large", "larger than"),
                Arguments.of("a body that is not JSON", 415, null, null));
    }

    @ParameterizedTest(name = "{0} is refused with {1}")
    @MethodSource("refusals")
    void badRequestsAreRefusedClearlyAndLeaveNothingBehind(String what, int status, String type, String detail) throws Exception {
        long before = countAllRows();
        Response response = switch (what) {
            case "a DNS name outside the policy" -> issue(opensslCsr("/CN=evil.example.com", null, ec()), "tls-server", null);
            case "an IP address outside the policy" -> issue(opensslCsr("/CN=ok.test", "subjectAltName=DNS:ok.test,IP:10.1.2.3", ec()), "tls-server", null);
            case "an RSA key of 1024 bits" -> issue(opensslCsr("/CN=weak.test", null, List.of("-newkey", "rsa:1024")), "tls-server", null);
            case "an RSA exponent of 3" -> {
                openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-pkeyopt", "rsa_keygen_pubexp:3", "-out", "e3.key").assertSuccess();
                yield issue(opensslCsrWithKey("/CN=e3.test", "e3.key"), "tls-server", null);
            }
            case "a CSR whose signature does not verify" -> issue(tamperSignature(opensslCsr("/CN=sig.test", null, ec())), "tls-server", null);
            case "an unknown profile" -> issue(opensslCsr("/CN=p.test", null, ec()), "no-such-profile", null);
            case "a validity above the profile's" -> issue(opensslCsr("/CN=v.test", null, ec()), "short-lived", "P2D");
            case "malformed JSON" -> app.postJson("/api/v1/certificates", admin, "{\"csr\": ");
            case "an unknown field" -> app.postJson("/api/v1/certificates", admin, "{\"csrr\":\"x\",\"profile\":\"tls-server\",\"owner\":\"o\"}");
            case "missing fields" -> app.postJson("/api/v1/certificates", admin, "{\"profile\":\"tls-server\"}");
            case "text that is not PEM" -> app.postJson("/api/v1/certificates", admin, Map.of("csr", "hello", "profile", "tls-server", "owner", "o"));
            case "a validity that is not a duration" -> app.postJson("/api/v1/certificates", admin,
                    Map.of("csr", "x", "profile", "tls-server", "owner", "o", "validity", "soon"));
            case "a bad tag" -> app.postJson("/api/v1/certificates", admin, Map.of("csr", opensslCsr("/CN=t.test", null, ec()),
                    "profile", "tls-server", "owner", "o", "tags", List.of("<script>")));
            case "an oversized body" -> app.postJson("/api/v1/certificates", admin, "{\"csr\":\"" + "A".repeat(400_000) + "\"}");
            case "a body that is not JSON" -> app.send("POST", "/api/v1/certificates", admin, "text/plain", "csr=x");
            default -> throw new IllegalArgumentException(what);
        };
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        if (type != null) {
            assertThat(problem.get("type").asString()).isEqualTo("urn:certwright:problem:" + type);
        }
        if (detail != null) {
            assertThat(problem.get("detail").asString()).contains(detail);
        }
        assertThat(problem.toString()).doesNotContain("Exception").doesNotContain("dev.certwright");
        assertThat(countAllRows()).as("no certificate row of any status was written").isEqualTo(before);
    }

    // --- roles ---

    @Test
    void everyEndpointHasARoleAndTokensAreChecked() throws Exception {
        assertProblem(app.get("/api/v1/issuers", null), 401);
        assertProblem(app.get("/api/v1/issuers", "cw_not-a-token"), 401);
        assertProblem(app.postJson("/api/v1/certificates", null, Map.of()), 401);

        Response created = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "viewer-" + System.nanoTime(), "role", "VIEWER"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String viewer = created.json().get("token").asString();
        secretsSeen.add(viewer);
        assertThat(app.get("/api/v1/issuers", viewer).status()).isEqualTo(200);
        assertThat(app.get("/api/v1/certificates", viewer).status()).isEqualTo(200);
        assertProblem(app.postJson("/api/v1/certificates", viewer, Map.of("csr", "x", "profile", "tls-server", "owner", "o")), 403);
        assertProblem(app.postJson("/api/v1/managed-certificates", viewer, Map.of()), 403);
        assertProblem(app.get("/api/v1/api-tokens", viewer), 403);
        assertProblem(app.get("/api/v1/no-such-endpoint", admin), 403);
        assertProblem(app.get("/actuator/prometheus", viewer), 403);
        assertThat(app.get("/actuator/prometheus", admin).status()).isEqualTo(200);
        assertThat(app.get("/api/v1/api-tokens", admin).body()).doesNotContain(viewer);

        String name = created.json().get("name").asString();
        assertThat(app.send("DELETE", "/api/v1/api-tokens/" + name, admin, null, null).status()).isEqualTo(204);
        assertProblem(app.get("/api/v1/issuers", viewer), 401);

        Response shortLived = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "brief-" + System.nanoTime(), "role", "VIEWER", "expiresIn", "PT1S"));
        String brief = shortLived.json().get("token").asString();
        secretsSeen.add(brief);
        // Valid for a second, then refused: wait (bounded) for the refusal rather than for a fixed time.
        org.awaitility.Awaitility.await("the one-second token's expiry").atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(200)).until(() -> app.get("/api/v1/issuers", brief).status() == 401);
        assertProblem(app.get("/api/v1/issuers", brief), 401);

        // The plain-HTTP listener serves CA certificates but never the API.
        java.net.http.HttpResponse<String> plain = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(app.http("/api/v1/issuers")).header("Authorization", "Bearer " + admin).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(plain.statusCode()).isEqualTo(404);
        assertThat(plain.body()).doesNotContain("dev-root");
    }

    @Test
    void issuersAreListedAndPublished() throws Exception {
        Response issuers = app.get("/api/v1/issuers", admin);
        assertThat(issuers.status()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        issuers.json().forEach(i -> names.add(i.get("name").asString()));
        assertThat(names).containsExactly("dev-root", "dev-issuing");
        JsonNode issuing = issuers.json().get(1);
        X509Certificate intermediate = parse(issuing.get("certificatePem").asString());
        assertThat(intermediate.getSubjectX500Principal().getName()).contains("CN=Certwright Dev Issuing CA");
        assertThat(issuing.get("chainPem").asString().split("BEGIN CERTIFICATE", -1)).hasSize(3);
        java.net.http.HttpResponse<byte[]> der = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(app.http("/ca/dev-issuing.crt")).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(der.statusCode()).isEqualTo(200);
        assertThat(der.headers().firstValue("Content-Type")).hasValue("application/pkix-cert");
        assertThat(der.body()).isEqualTo(intermediate.getEncoded());
        java.net.http.HttpResponse<String> missing = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(app.http("/ca/nope.crt")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(missing.statusCode()).isEqualTo(404);
        // The OpenAPI description is served.
        Response docs = app.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body()).contains("/api/v1/certificates").contains("/api/v1/managed-certificates");
    }

    // --- managed certificates ---

    @Test
    void managedCertificatesGetAServerSideKeyThatIsNeverReturned() throws Exception {
        Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web1", "profile", "tls-server",
                "dnsNames", List.of("web1.internal"), "ipAddresses", List.of("127.0.0.5"), "keyAlgorithm", "RSA-2048", "owner", "team-a",
                "validity", "P30D", "tags", List.of("edge")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.body()).doesNotContain("PRIVATE");
        JsonNode body = created.json();
        assertThat(body.get("serial").asString()).isNotBlank();
        assertThat(body.get("history")).hasSize(1);
        Path leaf = write("managed.pem", body.get("certificatePem").asString());
        write("managed-chain.pem", body.get("chainPem").asString());
        assertThat(openssl("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "managed-chain.pem",
                leaf.getFileName().toString()).exitCode()).isZero();
        assertThat(parse(body.get("certificatePem").asString()).getPublicKey().getAlgorithm()).isEqualTo("RSA");

        Response fetched = app.get("/api/v1/managed-certificates/web1", admin);
        assertThat(fetched.json().get("serial").asString()).isEqualTo(body.get("serial").asString());
        Response listed = app.get("/api/v1/certificates/" + body.get("serial").asString(), admin);
        assertThat(listed.json().get("managedCertificate").asString()).isEqualTo("web1");

        assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web1", "profile", "tls-server",
                "dnsNames", List.of("web1.internal"), "owner", "team-a")).status()).isEqualTo(409);
        long before = countAllRows();
        Response refused = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web2", "profile", "tls-server",
                "dnsNames", List.of("web.example.org"), "owner", "team-a"));
        assertProblem(refused, 422);
        assertThat(refused.json().get("detail").asString()).contains("web.example.org");
        assertThat(app.get("/api/v1/managed-certificates/web2", admin).status()).isEqualTo(404);
        assertThat(countAllRows()).isEqualTo(before);
    }

    @Test
    void theHttpsListenerServesTheManagedServerCertificateItsKeyDecrypts() throws Exception {
        // certwright-server is a managed certificate: its key was generated here, wrapped under the KEK, and unwrapped
        // for Tomcat. A completed handshake with the expected leaf proves the round trip.
        Response server = app.get("/api/v1/managed-certificates/certwright-server", admin);
        assertThat(server.status()).isEqualTo(200);
        X509Certificate served = app.servedLeaf();
        assertThat(served.getSerialNumber().toString(16)).isEqualTo(new java.math.BigInteger(server.json().get("serial").asString(), 16).toString(16));
        assertThat(served.getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList()).contains("localhost", "127.0.0.1");
        assertThat(server.body()).doesNotContain("PRIVATE");
    }

    // --- import and search ---

    @Test
    void certificatesIssuedElsewhereCanBeImported() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ext.key", "-subj", "/CN=ext.example.com",
                "-addext", "subjectAltName=DNS:ext.example.com", "-days", "10", "-out", "ext.pem").assertSuccess();
        String pem = Files.readString(work.resolve("ext.pem"));
        Response imported = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", pem, "owner", "ext-team", "tags", List.of("vendor")));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertThat(imported.json().get("source").asString()).isEqualTo("IMPORTED");
        assertThat(imported.json().get("sans").toString()).contains("ext.example.com");
        assertProblem(app.postJson("/api/v1/certificates/import", admin, Map.of("pem", pem, "owner", "ext-team")), 409);
        // A "chain" whose second certificate did not sign the first is refused as a broken chain (issue 19).
        String notAChain = pem + Files.readString(work.resolve("root.pem"));
        assertProblem(app.postJson("/api/v1/certificates/import", admin, Map.of("pem", notAChain, "owner", "x")), 422);
    }

    @Test
    void searchFiltersByOwnerTagNameAndExpiry() throws Exception {
        // Four certificates of an owner of this test's own, whatever else the inventory holds: one issued for the
        // profile's 90 days, one for five minutes, a managed one for 30 days and one imported that ends in 10 days.
        String run = unique();
        String owner = "search-" + run;
        Response alpha = app.postJson("/api/v1/certificates", admin, Map.of("csr", opensslCsr("/CN=alpha-" + run + ".test", null, ec()),
                "profile", "tls-server", "owner", owner, "tags", List.of("prod")));
        assertThat(alpha.status()).as(alpha.toString()).isEqualTo(201);
        Response shortOne = app.postJson("/api/v1/certificates", admin, Map.of("csr", opensslCsr("/CN=short-" + run + ".test", null, ec()),
                "profile", "short-lived", "owner", owner, "validity", "PT5M"));
        assertThat(shortOne.status()).as(shortOne.toString()).isEqualTo(201);
        Response managed = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web-" + run, "profile", "tls-server",
                "dnsNames", List.of("web-" + run + ".internal"), "keyAlgorithm", "EC-P256", "owner", owner, "validity", "P30D"));
        assertThat(managed.status()).as(managed.toString()).isEqualTo(201);
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ext-" + run + ".key",
                "-subj", "/CN=ext-" + run + ".example.com", "-addext", "subjectAltName=DNS:ext-" + run + ".example.com", "-days", "10",
                "-out", "ext-" + run + ".pem").assertSuccess();
        Response imported = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", Files.readString(work.resolve("ext-" + run + ".pem")),
                "owner", owner, "tags", List.of("vendor-" + run)));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);

        JsonNode byOwner = app.get("/api/v1/certificates?owner=" + owner, admin).json();
        assertThat(byOwner.get("total").asInt()).isEqualTo(4);
        byOwner.get("items").forEach(i -> assertThat(i.get("owner").asString()).isEqualTo(owner));
        assertThat(byOwner.get("items").get(0).has("certificatePem")).as("lists carry no PEM").isFalse();
        assertThat(app.get("/api/v1/certificates?tag=vendor-" + run, admin).json().get("total").asInt()).isEqualTo(1);
        // The name search ignores case.
        assertThat(app.get("/api/v1/certificates?q=WEB-" + run.toUpperCase() + ".internal", admin).json().get("total").asInt()).isEqualTo(1);
        JsonNode soon = app.get("/api/v1/certificates?owner=" + owner + "&expiringWithin=P20D&sort=notAfter", admin).json();
        List<String> soonSans = new ArrayList<>();
        soon.get("items").forEach(i -> soonSans.add(i.get("sans").toString()));
        assertThat(soonSans).hasSize(2).anyMatch(s -> s.contains("short-" + run + ".test")).anyMatch(s -> s.contains("ext-" + run + ".example.com"))
                .noneMatch(s -> s.contains("web-" + run + ".internal"));
        assertThat(soonSans.get(0)).contains("short-" + run + ".test");
        // Across the whole inventory (whatever other tests issued): only certificates within the horizon, soonest first.
        JsonNode allSoon = app.get("/api/v1/certificates?expiringWithin=P20D&sort=notAfter&size=500", admin).json();
        List<Instant> notAfters = new ArrayList<>();
        allSoon.get("items").forEach(i -> notAfters.add(Instant.parse(i.get("notAfter").asString())));
        assertThat(notAfters).isSorted().allMatch(t -> t.isBefore(Instant.now().plus(Duration.ofDays(20))));
        List<String> allSoonSans = new ArrayList<>();
        allSoon.get("items").forEach(i -> allSoonSans.add(i.get("sans").toString()));
        assertThat(allSoonSans).anyMatch(s -> s.contains("short-" + run + ".test")).noneMatch(s -> s.contains("web-" + run + ".internal"));
        // Pages: the second page of two, latest notAfter first, is the imported certificate, then the five-minute one.
        JsonNode paged = app.get("/api/v1/certificates?owner=" + owner + "&size=2&page=1&sort=-notAfter", admin).json();
        assertThat(paged.get("items")).hasSize(2);
        assertThat(paged.get("page").asInt()).isEqualTo(1);
        assertThat(paged.get("items").get(0).get("sans").toString()).contains("ext-" + run + ".example.com");
        assertThat(paged.get("items").get(1).get("sans").toString()).contains("short-" + run + ".test");
        assertProblem(app.get("/api/v1/certificates?status=bogus", admin), 400);
        assertProblem(app.get("/api/v1/certificates?expiringWithin=soon", admin), 400);
        assertProblem(app.get("/api/v1/certificates?size=100000", admin), 400);
        assertProblem(app.get("/api/v1/certificates/not-hex", admin), 400);
        assertProblem(app.get("/api/v1/certificates/0abc", admin), 404);
    }

    @Test
    void theAuditLogRecordsEachIssuanceInAnUnbrokenChain() {
        // A managed certificate of this test's own: its certificate's issuance and the slot's creation are each audited once.
        String name = "audit-" + unique();
        Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", name, "profile", "tls-server",
                "dnsNames", List.of(name + ".internal"), "keyAlgorithm", "EC-P256", "owner", "team-a"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String serial = created.json().get("serial").asString();
        JsonNode entries = app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + serial, admin).json();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("action").asString()).isEqualTo("certificate.issued");
        assertThat(entries.get(0).get("actor").asString()).isEqualTo("token:admin");
        JsonNode slot = app.get("/api/v1/audit-log?action=managed-certificate.created&subjectType=managed-certificate&subjectId=" + name, admin).json();
        assertThat(slot).hasSize(1);
        assertThat(slot.toString()).contains(name);
        // The chain is unbroken whatever the other tests wrote before.
        assertThat(app.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void stateChangesMadeDuringStartupAreAuditedToo() {
        // The CA and the server certificate are made while the web server starts, before Spring delivers events:
        // their audit entries must exist all the same (regression: they were lost when audit listened to events).
        assertThat(app.get("/api/v1/audit-log?action=ca.created", admin).json()).hasSize(1);
        String serverSerial = app.get("/api/v1/managed-certificates/certwright-server", admin).json().get("serial").asString();
        JsonNode entries = app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + serverSerial, admin).json();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("action").asString()).isEqualTo("certificate.issued");
        assertThat(entries.get(0).get("actor").asString()).isEqualTo("system");
    }

    // --- restart, and the logs ---

    @Test
    void aRestartKeepsTheCaTheInventoryAndTheTokens() throws Exception {
        // A certificate and a token of this test's own, so that there is something to keep whichever tests ran before.
        Response before = issue(opensslCsr("/CN=before-restart-" + unique() + ".test", null, ec()), "tls-server", null);
        assertThat(before.status()).as(before.toString()).isEqualTo(201);
        Response token = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "kept-" + unique(), "role", "VIEWER"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        String viewer = token.json().get("token").asString();
        secretsSeen.add(viewer);
        String issuersBefore = app.get("/api/v1/issuers", admin).body();
        JsonNode all = app.get("/api/v1/certificates?size=500", admin).json();
        String serverSerial = app.get("/api/v1/managed-certificates/certwright-server", admin).json().get("serial").asString();
        String nonceBefore = app.send("HEAD", "/acme/new-nonce", null, null, null).headers().get("Replay-Nonce").getFirst();
        app.close();

        // The same data directory and database: the tests that run after this one see the state from before it.
        app = CertwrightProcess.start(new CertwrightProcess.Options(dataDir, database));
        assertThat(app.adminToken()).isEqualTo(admin);
        assertThat(app.get("/api/v1/issuers", admin).body()).isEqualTo(issuersBefore);
        assertThat(app.get("/api/v1/certificates?size=500", admin).json().get("total").asInt()).isEqualTo(all.get("total").asInt());
        Response kept = app.get("/api/v1/certificates/" + before.json().get("serial").asString(), admin);
        assertThat(kept.status()).as(kept.toString()).isEqualTo(200);
        assertThat(kept.json().get("fingerprintSha256").asString()).isEqualTo(before.json().get("fingerprintSha256").asString());
        assertThat(app.get("/api/v1/issuers", viewer).status()).as("a token made before the restart").isEqualTo(200);
        assertThat(app.servedLeaf().getSerialNumber()).isEqualTo(new java.math.BigInteger(serverSerial, 16));
        Response issued = issue(opensslCsr("/CN=after-restart.test", null, ec()), "tls-server", null);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        assertThat(app.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
        // An ACME nonce from before the restart: on PostgreSQL (nodes share the redeemed nonces) it is still good; on the
        // embedded H2 (redeemed nonces kept in the process, decision 41) it is badNonce, with a fresh nonce that works.
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String newAccount = app.https("/acme/new-account").toString();
        Response spent = app.send("POST", "/acme/new-account", null, "application/jose+json",
                AcmeProtocolIT.sign(key, nonceBefore, newAccount, true, "{\"termsOfServiceAgreed\":true}"));
        if (database instanceof TestDatabase.H2) {
            assertThat(spent.status()).as(spent.toString()).isEqualTo(400);
            assertThat(spent.json().get("type").asString()).isEqualTo("urn:ietf:params:acme:error:badNonce");
            spent = app.send("POST", "/acme/new-account", null, "application/jose+json", AcmeProtocolIT.sign(key,
                    spent.headers().get("Replay-Nonce").getFirst(), newAccount, true, "{\"termsOfServiceAgreed\":true}"));
        }
        assertThat(spent.status()).as(spent.toString()).isEqualTo(201);
    }

    @Test
    void noPrivateKeyTokenOrPassphraseAppearsInTheLogs() throws Exception {
        // Secrets of this test's own pass through the server first, whichever tests ran before: a token made and used, a
        // certificate issued from a CSR, and a managed certificate whose key the server generates and wraps.
        String run = unique();
        Response token = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "log-" + run, "role", "VIEWER"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        String viewer = token.json().get("token").asString();
        secretsSeen.add(viewer);
        assertThat(app.get("/api/v1/certificates", viewer).status()).isEqualTo(200);
        assertProblem(app.postJson("/api/v1/certificates", viewer, Map.of("csr", "x", "profile", "tls-server", "owner", "o")), 403);
        Response issued = issue(opensslCsr("/CN=log-" + run + ".test", null, ec()), "tls-server", null);
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        Response managed = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "log-" + run, "profile", "tls-server",
                "dnsNames", List.of("log-managed-" + run + ".internal"), "keyAlgorithm", "EC-P256", "owner", "team-log"));
        assertThat(managed.status()).as(managed.toString()).isEqualTo(201);
        org.awaitility.Awaitility.await("the issuances in the log").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> app.log().contains("log-" + run + ".test") && app.log().contains("log-managed-" + run + ".internal"));

        // The whole console log of the shared server: every process of this class's data directory appends to it.
        String log = app.log();
        assertThat(log).contains("Started CertwrightApplication").contains("issued serial");
        assertThat(log).doesNotContain("PRIVATE KEY");
        for (String secret : secretsSeen) {
            assertThat(secret).isNotBlank();
            assertThat(log).doesNotContain(secret);
        }
        assertThat(log).contains(dataDir.resolve("admin-token").toString());
    }

    @Test
    void generatedSecretsAreReadableByTheOwnerOnly() throws Exception {
        for (String file : List.of("admin-token", "admin-password", "ca/passphrase", "ca/ca-keystore.p12")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(file))))
                    .as(file).isEqualTo("rw-------");
        }
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("ca"))))
                .isEqualTo("rwx------");
    }

    @Test
    void theAdminSignsInToTheDashboardWithTheGeneratedPassword() throws Exception {
        java.net.CookieManager cookies = new java.net.CookieManager();
        java.net.http.HttpClient browser = java.net.http.HttpClient.newBuilder().sslContext(CertwrightProcess.trustingRoot(app.root()))
                .cookieHandler(cookies).followRedirects(java.net.http.HttpClient.Redirect.NEVER).build();
        String loginPage = browser.send(java.net.http.HttpRequest.newBuilder(app.https("/login")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        java.util.regex.Matcher csrf = java.util.regex.Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"").matcher(loginPage);
        assertThat(csrf.find()).as("the sign-in form carries a CSRF token").isTrue();
        java.util.function.BiFunction<String, String, java.net.http.HttpResponse<String>> login = (user, password) -> {
            try {
                String form = "username=" + user + "&password=" + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8)
                        + "&_csrf=" + csrf.group(1);
                return browser.send(java.net.http.HttpRequest.newBuilder(app.https("/login")).header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(form)).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertThat(login.apply("admin", "wrong").headers().firstValue("location").orElse("")).endsWith("/login?error");
        java.net.http.HttpResponse<String> ok = login.apply("admin", app.readSecret("admin-password"));
        assertThat(ok.statusCode()).isEqualTo(302);
        assertThat(ok.headers().firstValue("location").orElse("")).doesNotContain("error");
        java.net.http.HttpResponse<String> home = browser.send(java.net.http.HttpRequest.newBuilder(app.https("/")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(home.statusCode()).isEqualTo(200);
        assertThat(home.body()).contains("<span>admin</span> · <span>ADMIN</span>").contains("<h1>Overview</h1>");
    }

    // --- helpers ---

    /** A name part no other test of this class uses, so that tests do not meet on each other's certificates. */
    static String unique() {
        return Long.toString(System.nanoTime(), 36);
    }

    Response issue(String csr, String profile, String validity) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("csr", csr, "profile", profile, "owner", "team-web"));
        if (validity != null) {
            body.put("validity", validity);
        }
        return app.postJson("/api/v1/certificates", admin, body);
    }

    /** Certificate rows of every status (PENDING and FAILED included), and managed slots. */
    long countAllRows() {
        long total = 0;
        for (String status : List.of("PENDING", "ISSUED", "FAILED", "REVOKED", "EXPIRED")) {
            total += app.get("/api/v1/certificates?status=" + status, admin).json().get("total").asLong();
        }
        return total;
    }

    static List<String> ec() {
        return List.of("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256");
    }

    String opensslCsr(String subject, String extension, List<String> keyArgs) throws Exception {
        String name = "csr-" + System.nanoTime();
        List<String> command = new ArrayList<>(List.of("req", "-new", "-nodes", "-keyout", name + ".key", "-subj", subject, "-out", name + ".csr"));
        command.addAll(keyArgs);
        if (extension != null) {
            command.add("-addext");
            command.add(extension);
        }
        openssl(command.toArray(String[]::new)).assertSuccess();
        return Files.readString(work.resolve(name + ".csr"));
    }

    String opensslCsrWithKey(String subject, String keyFile) throws Exception {
        String name = "csr-" + System.nanoTime();
        openssl("req", "-new", "-key", keyFile, "-subj", subject, "-out", name + ".csr").assertSuccess();
        return Files.readString(work.resolve(name + ".csr"));
    }

    Commands.Result openssl(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        return Commands.run(work, command);
    }

    Path write(String name, String content) throws Exception {
        return Files.writeString(work.resolve(name), content, StandardCharsets.UTF_8);
    }

    static String tamperSignature(String pem) {
        String base64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        byte[] der = java.util.Base64.getDecoder().decode(base64);
        der[der.length - 3] ^= 0x01;
        return "-----BEGIN CERTIFICATE REQUEST-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END CERTIFICATE REQUEST-----\n";
    }

    static void assertProblem(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }

    static X509Certificate parse(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    static String pem(X509Certificate certificate) throws Exception {
        return "-----BEGIN CERTIFICATE-----\n" + java.util.Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(certificate.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/certificates", "/anything"})
    void theDashboardAsksForASignIn(String path) {
        Response response = app.get(path, null);
        assertThat(response.status()).isIn(302, 401, 403);
        if (response.status() == 302) {
            assertThat(response.headers().get("location").get(0)).endsWith("/login");
        }
    }
}
