package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.bouncycastle.cert.ocsp.OCSPResp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeServerException;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Http01Responder;
import dev.certwright.support.Json;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;
import dev.certwright.x509.Pem;
import dev.certwright.x509.TestCertificates;
import tools.jackson.databind.JsonNode;

/**
 * Untrusted input against the real jar (issue 19 §4): what an anonymous client or a careless account holder sends that
 * the parsers must not choke on. Each refusal is a 4xx problem document (an OCSP malformedRequest at /ocsp, ACME types
 * under /acme), and the server log gets at most a short line for it, never a stack trace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UntrustedInputIT {

    /** The finding: about 1 KB of nested indefinite-length SEQUENCEs, {@code 30 80} repeated, as sent. */
    static final byte[] NESTED = nested(512);
    /** Deep enough to overflow a default request thread's stack in Bouncy Castle's parser without the pre-check. */
    static final byte[] DEEPER = nested(8000);

    Path work;
    Openssl openssl;
    TestDatabase database;
    CertwrightProcess app;
    Http01Responder http01;
    ChallengeTestServer dns;
    String admin;
    SSLContext previousDefault;
    HttpClient client;
    X509Certificate issuing;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-input-");
        openssl = new Openssl(work);
        database = TestDatabase.h2();
        int http01Port = CertwrightProcess.freePort();
        http01 = Http01Responder.start(http01Port);
        dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database)
                .arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.dns-resolver=" + dns.dnsResolver()));
        admin = app.adminToken();
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(CertwrightProcess.trustingRoot(app.root()));
        client = HttpClient.newBuilder().sslContext(CertwrightProcess.trustingRoot(app.root())).build();
        issuing = Openssl.parse(app.get("/ca/dev-issuing.pem", null).body());
    }

    @AfterAll
    void stop() {
        if (previousDefault != null) {
            SSLContext.setDefault(previousDefault);
        }
        if (http01 != null) {
            http01.close();
        }
        if (dns != null) {
            dns.close();
        }
        CertwrightProcess.stopAll(app, database, work);
    }

    static byte[] nested(int levels) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < levels; i++) {
            out.write(0x30);
            out.write(0x80);
        }
        return out.toByteArray();
    }

    // --- OCSP ---

    @Test
    void deeplyNestedOcspRequestsAreMalformedRequestsAndLeaveNoStackTrace() throws Exception {
        int logStart = app.log().length();
        // 512 levels is the reported ~1 KB; 8000 levels (16 KB) overflowed this server's request threads before the fix
        // (500 and a stack trace each time: verified against the jar of commit 3102252).
        for (int i = 0; i < 30; i++) {
            var answer = app.plain("POST", "/ocsp", "application/ocsp-request", i % 2 == 0 ? NESTED : DEEPER);
            assertThat(answer.status()).isEqualTo(200);
            assertThat(answer.header("Content-Type")).isEqualTo("application/ocsp-response");
            // RFC 6960 §2.3: a request that does not parse is answered malformedRequest (1), unsigned.
            assertThat(new OCSPResp(answer.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        }
        String get = URLEncoder.encode(Base64.getEncoder().encodeToString(NESTED), StandardCharsets.US_ASCII);
        var answer = app.plain("GET", "/ocsp/" + get, null, null);
        assertThat(new OCSPResp(answer.body()).getStatus()).isEqualTo(OCSPResp.MALFORMED_REQUEST);
        String deeperGet = URLEncoder.encode(Base64.getEncoder().encodeToString(DEEPER), StandardCharsets.US_ASCII);
        var deeperAnswer = app.plain("GET", "/ocsp/" + deeperGet, null, null);
        assertThat(deeperAnswer.status()).isLessThan(500);
        // Deep nesting inside a well-formed outer request (an extension value) is refused too.
        assertThat(new OCSPResp(app.plain("POST", "/ocsp", "application/ocsp-request", wrappedInOctetString(nested(64))).body()).getStatus())
                .isEqualTo(OCSPResp.MALFORMED_REQUEST);
        assertNoStackTraceSince(logStart);
        // Thirty refusals in a minute: a few lines, the rest counted.
        assertThat(count(app.log().substring(logStart), "refused ocsp input")).isBetween(1, 2 * dev.certwright.x509.ClientErrorLog.PER_MINUTE);
    }

    static byte[] wrappedInOctetString(byte[] inner) {
        // SEQUENCE { OCTET STRING { inner (closed) } }
        byte[] closed = new byte[inner.length * 2];
        System.arraycopy(inner, 0, closed, 0, inner.length);
        byte[] octets = tlv(0x04, closed);
        return tlv(0x30, octets);
    }

    static byte[] tlv(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        out.write(0x82);
        out.write(content.length >> 8);
        out.write(content.length & 0xff);
        out.writeBytes(content);
        return out.toByteArray();
    }

    // --- REST: CSRs and imports ---

    @Test
    void deeplyNestedCsrsAndCertificatesAreRefusedWithAProblem() {
        int logStart = app.log().length();
        Response csr = app.postJson("/api/v1/certificates", admin, Map.of("csr", Pem.encode(Pem.CERTIFICATE_REQUEST, NESTED), "profile", "tls-server",
                "owner", "ops"));
        assertProblem(csr, 400, "urn:certwright:problem:malformed-certificate-data");
        assertThat(csr.json().get("detail").asString()).contains("nested deeper than");
        Response imported = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", Pem.encode(Pem.CERTIFICATE, NESTED), "owner", "ops"));
        assertProblem(imported, 400, "urn:certwright:problem:malformed-certificate-data");
        assertNoStackTraceSince(logStart);
    }

    @Test
    void aSecp256k1CsrIsRefusedThoughItIs256Bits() {
        Response refused = app.postJson("/api/v1/certificates", admin, Map.of("csr", secp256k1Csr("k1.test"), "profile", "tls-server", "owner", "ops"));
        assertProblem(refused, 422, "urn:certwright:problem:bad-key");
        assertThat(refused.json().get("detail").asString()).contains("EC-secp256k1").contains("not allowed");
    }

    String secp256k1Csr(String name) {
        String key = "k1-" + System.nanoTime();
        openssl.run("ecparam", "-name", "secp256k1", "-genkey", "-noout", "-out", key + ".key").assertSuccess();
        openssl.run("req", "-new", "-key", key + ".key", "-subj", "/CN=" + name, "-addext", "subjectAltName=DNS:" + name, "-out", key + ".csr")
                .assertSuccess();
        return new String(openssl.read(key + ".csr"), StandardCharsets.US_ASCII);
    }

    // --- imports: broken chains and serials of other CAs ---

    @Test
    void brokenChainsAreRefusedWithTheirReason() throws Exception {
        KeyPair rootKey = TestCertificates.ecKey();
        KeyPair caKey = TestCertificates.ecKey();
        KeyPair leafKey = TestCertificates.ecKey();
        X509Certificate root = TestCertificates.certificate("CN=Foreign Root", rootKey.getPublic(), "CN=Foreign Root", rootKey.getPrivate(), true, null);
        X509Certificate ca = TestCertificates.certificate("CN=Foreign CA", caKey.getPublic(), "CN=Foreign Root", rootKey.getPrivate(), true, 0);
        // Loop: A signed by B, B signed by A.
        KeyPair a = TestCertificates.ecKey();
        KeyPair b = TestCertificates.ecKey();
        X509Certificate aByB = TestCertificates.certificate("CN=Loop A", a.getPublic(), "CN=Loop B", b.getPrivate(), true, null);
        X509Certificate bByA = TestCertificates.certificate("CN=Loop B", b.getPublic(), "CN=Loop A", a.getPrivate(), true, null);
        X509Certificate leafOfA = TestCertificates.certificate("CN=loop.example", leafKey.getPublic(), "CN=Loop A", a.getPrivate(), false, null);
        assertBrokenChain(List.of(leafOfA, aByB, bByA), "loops");
        // An "issuer" with CA:FALSE.
        X509Certificate notCa = TestCertificates.certificate("CN=Not A CA", caKey.getPublic(), "CN=Foreign Root", rootKey.getPrivate(), false, null);
        X509Certificate belowNotCa = TestCertificates.certificate("CN=below.example", leafKey.getPublic(), "CN=Not A CA", caKey.getPrivate(), false, null);
        assertBrokenChain(List.of(belowNotCa, notCa, root), "not a CA");
        // A signature that does not verify.
        X509Certificate forged = TestCertificates.certificate("CN=forged.example", leafKey.getPublic(), "CN=Foreign CA",
                TestCertificates.ecKey().getPrivate(), false, null);
        assertBrokenChain(List.of(forged, ca, root), "does not verify");
        // A path longer than the CA's pathLenConstraint of 0 allows.
        KeyPair subKey = TestCertificates.ecKey();
        X509Certificate sub = TestCertificates.certificate("CN=Foreign Sub", subKey.getPublic(), "CN=Foreign CA", caKey.getPrivate(), true, null);
        X509Certificate leafOfSub = TestCertificates.certificate("CN=sub.example", leafKey.getPublic(), "CN=Foreign Sub", subKey.getPrivate(), false, null);
        assertBrokenChain(List.of(leafOfSub, sub, ca, root), "too long");
        // A certificate that names our issuing CA but is not signed by it.
        // (BC's X500Name text keeps the DER order of the RDNs; RFC 2253 text reverses it.)
        String ourIssuer = org.bouncycastle.asn1.x500.X500Name.getInstance(issuing.getSubjectX500Principal().getEncoded()).toString();
        X509Certificate impostor = TestCertificates.certificate("CN=impostor.test", leafKey.getPublic(), ourIssuer,
                TestCertificates.ecKey().getPrivate(), false, null);
        assertThat(impostor.getIssuerX500Principal()).isEqualTo(issuing.getSubjectX500Principal());
        assertBrokenChain(List.of(impostor), "not signed by its key");
        // Nothing of it reached the inventory.
        assertThat(app.get("/api/v1/certificates?owner=chain-test", admin).json().get("total").asInt()).isZero();
    }

    void assertBrokenChain(List<X509Certificate> chain, String reason) {
        Response refused = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", Pem.encodeChain(chain), "owner", "chain-test"));
        assertProblem(refused, 422, "urn:certwright:problem:broken-chain");
        assertThat(refused.json().get("detail").asString()).contains(reason);
    }

    @Test
    void aForeignCertificateReusingOurSerialLeavesOurLookupsToOurs() throws Exception {
        Response issued = app.postJson("/api/v1/certificates", admin, Map.of("csr", openssl.csr("/CN=ours.test", "subjectAltName=DNS:ours.test"),
                "profile", "tls-server", "owner", "serial-test"));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        String serial = issued.json().get("serial").asString();
        KeyPair foreignKey = TestCertificates.ecKey();
        X509Certificate foreignRoot = TestCertificates.certificate("CN=Other CA", foreignKey.getPublic(), "CN=Other CA", foreignKey.getPrivate(), true, null);
        X509Certificate foreign = TestCertificates.certificate("CN=theirs.example", TestCertificates.ecKey().getPublic(), "CN=Other CA",
                foreignKey.getPrivate(), false, null, new BigInteger(serial, 16));
        Response imported = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", Pem.encodeChain(List.of(foreign, foreignRoot)),
                "owner", "serial-test"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        // (issuer, serial) is the key: the bare serial is ours, the other CA's is reached by its issuer.
        Response ours = app.get("/api/v1/certificates/" + serial, admin);
        assertThat(ours.status()).as(ours.toString()).isEqualTo(200);
        assertThat(ours.json().get("source").asString()).isEqualTo("ISSUED");
        Response theirs = app.get("/api/v1/certificates/" + serial + "?issuer=" + URLEncoder.encode("CN=Other CA", StandardCharsets.UTF_8), admin);
        assertThat(theirs.json().get("source").asString()).isEqualTo("IMPORTED");
        Response revoked = app.postJson("/api/v1/certificates/" + serial + "/revoke", admin, Map.of("reason", "superseded"));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(app.get("/api/v1/certificates/" + serial, admin).json().get("status").asString()).isEqualTo("REVOKED");
        assertThat(app.get("/api/v1/certificates/" + serial + "?issuer=" + URLEncoder.encode("CN=Other CA", StandardCharsets.UTF_8), admin).json()
                .get("status").asString()).isNotEqualTo("REVOKED");
    }

    // --- ACME ---

    @ParameterizedTest(name = "POST /acme/{0} is malformed")
    @ValueSource(strings = {"order/abc", "order/abc/finalize", "authz/abc", "chall/abc", "cert/abc", "acct/abc", "acct/abc/orders",
            "order/99999999999999999999999"})
    void anAcmePathIdThatIsNotANumberIsMalformed(String path) throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String kid = newAccount(key);
        String url = base() + "/" + path;
        HttpResponse<String> answer = post(url, sign(key, kid, url, ""));
        assertAcmeProblem(answer, 400, "malformed");
    }

    @Test
    void aJwsNestedTooDeepIsMalformed() throws Exception {
        int logStart = app.log().length();
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String url = base() + "/new-account";
        String deep = "[".repeat(3000) + "]".repeat(3000);
        // In the protected header, which Nimbus parses with its own JSON parser.
        String header = "{\"alg\":\"ES256\",\"nonce\":\"" + newNonce() + "\",\"url\":\"" + url + "\",\"jwk\":" + key.toPublicJWK().toJSONString()
                + ",\"x\":" + deep + "}";
        String body = "{\"protected\":\"" + b64(header) + "\",\"payload\":\"" + b64("{}") + "\",\"signature\":\"" + b64("sig") + "\"}";
        assertAcmeProblem(post(url, body), 400, "malformed");
        // In the payload, and in the body itself.
        assertAcmeProblem(post(url, sign(key, null, url, "{\"contact\":" + deep + "}")), 400, "malformed");
        assertAcmeProblem(post(url, "{\"protected\":" + deep + "}"), 400, "malformed");
        // A certificate chain in the JWK (RFC 7517 §4.7), which Nimbus would parse as DER.
        String x5c = ",\"x5c\":[\"" + Base64.getEncoder().encodeToString(NESTED) + "\"]}";
        String jwk = key.toPublicJWK().toJSONString();
        String withChain = "{\"alg\":\"ES256\",\"nonce\":\"" + newNonce() + "\",\"url\":\"" + url + "\",\"jwk\":"
                + jwk.substring(0, jwk.length() - 1) + x5c + "}";
        assertAcmeProblem(post(url, "{\"protected\":\"" + b64(withChain) + "\",\"payload\":\"" + b64("{}") + "\",\"signature\":\"" + b64("sig")
                + "\"}"), 400, "malformed");
        assertNoStackTraceSince(logStart);
    }

    @Test
    void finalizeWithASecp256k1OrADeeplyNestedCsrIsABadCsr() throws Exception {
        KeyPair accountKey = TestCertificates.ecKey();
        Login login = new AccountBuilder().agreeToTermsOfService().useKeyPair(accountKey).createLogin(new Session(URI.create(base() + "/directory")));
        var order = login.newOrder().domain("k1.test").create();
        solve(order.getAuthorizations());
        order.waitUntilReady(Duration.ofSeconds(30));
        int logStart = app.log().length();
        byte[] k1 = Pem.decodeOne(secp256k1Csr("k1.test"), Pem.CERTIFICATE_REQUEST);
        assertThatThrownBy(() -> order.execute(k1)).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:badCSR"))
                .hasMessageContaining("EC-secp256k1");
        assertThatThrownBy(() -> order.execute(NESTED)).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> assertThat(((AcmeServerException) e).getType().toString()).isEqualTo("urn:ietf:params:acme:error:badCSR"));
        assertNoStackTraceSince(logStart);
        // The order is still there to finalize with a P-256 key.
        order.execute(TestCertificates.ecKey());
        assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
    }

    void solve(List<Authorization> authorizations) throws Exception {
        for (Authorization authorization : authorizations) {
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
            http01.serve(challenge.getToken(), challenge.getAuthorization());
            challenge.trigger();
            assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        }
    }

    String base() {
        return "https://localhost:" + app.httpsPort() + "/acme";
    }

    String newNonce() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base() + "/new-nonce")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).headers().firstValue("Replay-Nonce").orElseThrow();
    }

    String newAccount(ECKey key) throws Exception {
        String url = base() + "/new-account";
        HttpResponse<String> created = post(url, sign(key, null, url, "{\"termsOfServiceAgreed\":true}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return created.headers().firstValue("Location").orElseThrow();
    }

    /** A real signed flattened JWS: with {@code kid} an account request, else one carrying its jwk. */
    String sign(ECKey key, String kid, String url, String payload) throws Exception {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256).customParam("nonce", newNonce()).customParam("url", url);
        if (kid != null) {
            header.keyID(kid);
        } else {
            header.jwk(key.toPublicJWK());
        }
        JWSObject jws = new JWSObject(header.build(), new Payload(payload));
        jws.sign(new ECDSASigner(key));
        String[] parts = jws.serialize().split("\\.", -1);
        return "{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}";
    }

    static String b64(String text) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    HttpResponse<String> post(String url, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/jose+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertAcmeProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(Json.parse(response.body()).get("type").asString()).isEqualTo("urn:ietf:params:acme:error:" + type);
    }

    // --- Tomcat's own errors, over raw sockets ---

    @ParameterizedTest(name = "Tomcat refusing {0} answers problem+json on both listeners")
    @ValueSource(strings = {"nul", "long-url", "big-header", "control-char"})
    void requestsTomcatRefusesGetAProblemDocument(String kind) throws Exception {
        for (boolean tls : new boolean[] {false, true}) {
            for (String path : List.of("/api/v1/certificates", "/acme/new-order")) {
                String request = switch (kind) {
                    case "nul" -> "GET " + path + "/%00 HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                    // Just over Tomcat's 8 KB header limit: Tomcat reads all of it before it answers, so it closes no
                    // connection with unread bytes (which the kernel would answer with a reset instead of our response).
                    case "long-url" -> "GET " + path + "/" + "a".repeat(9_000) + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                    case "big-header" -> "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "b".repeat(9_000) + "\r\nConnection: close\r\n\r\n";
                    default -> "GET " + path + "/a\u0001b HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
                };
                String answer = raw(tls, request);
                String head = answer.substring(0, Math.max(0, answer.indexOf("\r\n\r\n")));
                String body = answer.substring(answer.indexOf("\r\n\r\n") + 4);
                assertThat(head).as(answer).startsWith("HTTP/1.1 400");
                assertThat(head.toLowerCase()).as(answer).contains("content-type: application/problem+json");
                JsonNode problem = Json.parse(body);
                assertThat(problem.get("status").asInt()).isEqualTo(400);
                // Under /acme the type is ACME's once Tomcat has parsed the path (%00 and an oversized header are refused
                // after it); a request line it cannot read (a control character) names no path, so it gets the general
                // type; an over-long URL may be either, depending on how far Tomcat's 8 KB buffer reached.
                String general = "urn:certwright:problem:malformed-request";
                String acme = "urn:ietf:params:acme:error:malformed";
                String type = problem.get("type").asString();
                if (!path.startsWith("/acme")) {
                    assertThat(type).isEqualTo(general);
                } else if (kind.equals("nul") || kind.equals("big-header")) {
                    assertThat(type).isEqualTo(acme);
                } else if (kind.equals("control-char")) {
                    assertThat(type).isEqualTo(general);
                } else {
                    assertThat(type).isIn(general, acme);
                }
                assertThat(body).doesNotContain("<html").doesNotContain("Tomcat");
            }
        }
    }

    /** Sends {@code request} on a fresh connection and reads the answer; a reset before any answer is tried again. */
    String raw(boolean tls, String request) throws Exception {
        java.net.SocketException reset = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                return rawOnce(tls, request);
            } catch (java.net.SocketException e) {
                reset = e;
            }
        }
        throw reset;
    }

    String rawOnce(boolean tls, String request) throws Exception {
        try (Socket socket = tls ? CertwrightProcess.trustingRoot(app.root()).getSocketFactory().createSocket("localhost", app.httpsPort())
                : new Socket("127.0.0.1", app.httpPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            // Tomcat answers and closes while some of what we sent is unread, so the kernel may follow the answer with
            // a reset: keep what arrived before it.
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0;) {
                    received.write(buffer, 0, n);
                }
            } catch (java.net.SocketException e) {
                if (received.size() == 0) {
                    throw e;
                }
            }
            return received.toString(StandardCharsets.UTF_8);
        }
    }

    // --- helpers ---

    void assertNoStackTraceSince(int logStart) {
        String log = app.log().substring(logStart);
        assertThat(log).doesNotContain("StackOverflowError").doesNotContain("\tat ").doesNotContain("Exception:");
    }

    static void assertProblem(Response response, int status, String type) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo(type);
    }

    static int count(String text, String needle) {
        int count = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            count++;
        }
        return count;
    }
}
