package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXRevocationChecker;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultBHttpClientConnection;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.message.BasicClassicHttpRequest;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Binary;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Revocation end to end, against the packaged application: revoke through the API, then ask the way relying parties
 * do. openssl ocsp (POST and GET), openssl crl and openssl verify -crl_check, and Java's own PKIX validator with its
 * OCSP and CRL checkers, all reach the same verdicts. Bad OCSP input gets an OCSP error status or a 4xx. Subclasses
 * choose the database; Quartz runs the publishing jobs on both.
 * <p>
 * The tests share one server and run in any order, or alone. Each revokes the certificates its verdicts are about,
 * or reads the fixtures made in {@link #start()}: {@code good} is never revoked, {@code compromised} is revoked
 * (keyCompromise) and published before the first test, {@code expiring} runs out during the class. A test that changes
 * state asserts only on what it created; the CRLs and the audit log are checked for its own entries, never for a count.
 * The intermediate whose revocation the root's CRL and OCSP must show is one of its own ({@value #REVOCABLE_ISSUER}, in
 * this class's copy of dev.yml), so that dev-issuing's chain stays valid for every other test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RevocationEndToEnd {

    static final Duration PUBLISH_DELAY = Duration.ofSeconds(3);
    /** A second intermediate under dev-root, revoked by one test; its profile is {@value #REVOCABLE_PROFILE}. */
    static final String REVOCABLE_ISSUER = "revocable-issuing";
    static final String REVOCABLE_PROFILE = "tls-server-revocable";

    Path work;
    Openssl openssl;
    TestDatabase database;
    CertwrightProcess app;
    String admin;
    X509Certificate root;
    X509Certificate issuing;
    /** The intermediate one test revokes; no other test issues under it. */
    X509Certificate revocableIssuing;
    /** Never revoked: every test that needs a "good" verdict asks about it. */
    Issued good;
    /** Revoked (keyCompromise) in {@link #start()}, answered "revoked" by OCSP and listed on the full CRL before any test. */
    Issued compromised;
    /** Issued in {@link #start()} for 20 s, so that it expires while the other tests run. */
    Issued expiring;
    /** The CA configuration the node runs with (a second node on the same database runs with it too). */
    Path caConfig;

    record Issued(String serial, Path file, X509Certificate certificate) {
    }

    abstract TestDatabase database();

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-revocation-");
        openssl = new Openssl(work);
        database = database();
        // The development CA configuration, except that a short-lived certificate may live 10 s (dev.yml: at least a
        // minute), so that the one revoked after its expiry expires within the class rather than a minute after its start.
        String devConfig = Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"));
        String shortLived = "short-lived:\n    issuer: dev-issuing\n    extendedKeyUsages: [serverAuth]\n    minValidity: PT1M";
        assertThat(devConfig).contains(shortLived);
        // And a second intermediate under the root, with a profile of its own, for the test that revokes an intermediate.
        String profiles = "\nprofiles:\n";
        assertThat(devConfig).contains(profiles);
        String revocable = "\n  " + REVOCABLE_ISSUER + ":\n    parent: dev-root\n"
                + "    subject: \"CN=Certwright Test Revocable Issuing CA,O=Certwright Development\"\n"
                + "    keyAlgorithm: EC-P256\n    validity: P1825D\n    pathLength: 0\n" + profiles
                + "  " + REVOCABLE_PROFILE + ":\n    issuer: " + REVOCABLE_ISSUER + "\n    extendedKeyUsages: [serverAuth]\n"
                + "    minValidity: PT1H\n    maxValidity: P90D\n    defaultValidity: P90D\n";
        caConfig = Files.writeString(work.resolve("ca-config.yml"),
                devConfig.replace(shortLived, shortLived.replace("PT1M", "PT10S")).replace(profiles, revocable));
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database).arg("--certwright.ca-config=" + caConfig)
                .arg("--certwright.crl.publish-delay=" + PUBLISH_DELAY).arg("--certwright.ocsp.presign-interval=PT2S"));
        admin = app.adminToken();
        root = app.root();
        issuing = Openssl.parse(app.get("/ca/dev-issuing.pem", null).body());
        openssl.write("root.pem", Openssl.pem(root));
        openssl.write("issuing.pem", Openssl.pem(issuing));
        openssl.write("chain.pem", Openssl.pem(issuing) + Openssl.pem(root));
        revocableIssuing = Openssl.parse(app.get("/ca/" + REVOCABLE_ISSUER + ".pem", null).body());
        assertThat(revocableIssuing.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        // Issued first, so that it expires while the other tests run, whichever come first.
        expiring = issue("expiring", "short-lived", "PT20S");
        good = issue("good", "tls-server", null);
        compromised = issue("compromised", "tls-server", null);
        awaitOcspResponders();
        Response revoked = revoke(compromised.serial(), "keyCompromise");
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        byte[] request = request(compromised, false);
        org.awaitility.Awaitility.await("OCSP saying the fixture is revoked").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> status(postOcsp(request)).equals("revoked"));
        awaitCrlEntry("/crl/dev-issuing.crl", compromised.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
    }

    @AfterAll
    void stop() {
        try {
            // Whichever test ran last: the whole run's log holds no secret and no error.
            if (app != null && admin != null) {
                assertThat(app.log()).doesNotContain(admin).doesNotContain("PRIVATE KEY").doesNotContain("ERROR");
            }
        } finally {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    // --- OCSP ---

    @Test
    void opensslOcspPostSaysGoodAndVerifiesTheSignatureAgainstOurChain() {
        String out = ocsp("-cert", good.file().toString()).assertSuccess().output();
        assertThat(out).contains("Response verify OK").contains(good.file() + ": good").doesNotContain("WARNING");
    }

    @Test
    void theResponderIsADelegatedShortLivedOcspSigner() throws Exception {
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(postOcsp(request(good, false))).getResponseObject();
        X509Certificate responder = Openssl.parse(Openssl.pem(new org.bouncycastle.cert.jcajce.JcaX509CertificateConverter()
                .getCertificate(basic.getCerts()[0])));
        openssl.write("responder.pem", Openssl.pem(responder));
        String text = openssl.run("x509", "-in", "responder.pem", "-noout", "-text").assertSuccess().output();
        assertThat(text).contains("OCSP Signing").contains("OCSP No Check").contains("CA:FALSE");
        assertThat(responder.getIssuerX500Principal()).isEqualTo(issuing.getSubjectX500Principal());
        responder.verify(issuing.getPublicKey());
        assertThat(Duration.between(responder.getNotBefore().toInstant(), responder.getNotAfter().toInstant())).isLessThanOrEqualTo(Duration.ofDays(15));
        assertThat(basic.getResponses()[0].getNextUpdate()).isAfter(basic.getResponses()[0].getThisUpdate());
    }

    @Test
    void aRevocationIsAnsweredByOcspWithinOneSecond() throws Exception {
        Issued victim = issue("ocsp-within-a-second", "tls-server", null);
        byte[] request = request(victim, false);
        assertThat(status(postOcsp(request))).isEqualTo("good");
        long started = System.nanoTime();
        Response revoked = revoke(victim.serial(), "keyCompromise");
        String status = "";
        while (System.nanoTime() - started < Duration.ofSeconds(3).toNanos() && !status.equals("revoked")) {
            status = status(postOcsp(request));
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        JsonNode body = revoked.json();
        assertThat(body.get("status").asString()).isEqualTo("REVOKED");
        assertThat(body.get("revocationReason").asString()).isEqualTo("keyCompromise");
        assertThat(body.get("revokedBy").asString()).isNotBlank();
        assertThat(body.get("revokedAt").asString()).isNotBlank();
        assertThat(status).isEqualTo("revoked");
        assertThat(elapsedMillis).as("from the revoke request to OCSP saying revoked").isLessThan(1000);

        String out = ocsp("-cert", victim.file().toString()).assertSuccess().output();
        assertThat(out).contains("Response verify OK").contains(victim.file() + ": revoked").contains("Reason: keyCompromise")
                .contains("Revocation Time");
    }

    @Test
    void theGetFormIsServedFromTheCacheWithCachingHeaders() throws Exception {
        for (Issued issued : List.of(good, compromised)) {
            Path requestFile = work.resolve("get-" + issued.serial() + ".der");
            openssl.run("ocsp", "-issuer", "issuing.pem", "-cert", issued.file().toString(), "-no_nonce", "-reqout", requestFile.toString())
                    .assertSuccess();
            String base64 = Base64.getEncoder().encodeToString(Files.readAllBytes(requestFile));
            Binary encoded = app.plain("GET", "/ocsp/" + URLEncoder.encode(base64, StandardCharsets.UTF_8), null, null);
            Binary raw = app.plain("GET", "/ocsp/" + base64, null, null);
            Binary urlSafe = app.plain("GET", "/ocsp/" + Base64.getUrlEncoder().withoutPadding().encodeToString(Files.readAllBytes(requestFile)),
                    null, null);
            for (Binary response : List.of(encoded, raw, urlSafe)) {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.header("Content-Type")).isEqualTo("application/ocsp-response");
                assertThat(response.header("Cache-Control")).contains("max-age=").contains("public").contains("no-transform");
                assertThat(response.header("ETag")).isNotBlank();
                assertThat(response.header("Last-Modified")).isNotBlank();
                assertThat(response.header("Expires")).isNotBlank();
                // RFC 5019 §6.2: max-age never reaches past nextUpdate, though the node serves the answer from memory.
                long maxAge = Long.parseLong(response.header("Cache-Control").replaceAll(".*max-age=(\\d+).*", "$1"));
                Instant expires = ZonedDateTime.parse(response.header("Expires"), DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                assertThat(Instant.now().plusSeconds(maxAge)).isBeforeOrEqualTo(expires);
                assertThat(response.header("Expires")).matches("[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT");
            }
            assertThat(raw.body()).isEqualTo(encoded.body());
            openssl.write("get-response.der", encoded.body());
            String out = openssl.run("ocsp", "-respin", "get-response.der", "-issuer", "issuing.pem", "-cert", issued.file().toString(),
                    "-CAfile", "root.pem", "-verify_other", "issuing.pem").assertSuccess().output();
            assertThat(out).contains("Response verify OK").contains(issued.file() + ": " + (issued == good ? "good" : "revoked"));
        }
    }

    @Test
    void aSerialWeNeverIssuedIsUnknown() {
        String out = ocsp("-serial", "0x0123456789abcdef").assertSuccess().output();
        assertThat(out).contains("Response verify OK").contains(": unknown");
    }

    @Test
    void anIssuerThatIsNotOursIsUnauthorized() {
        openssl.run("req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", "other.key", "-subj",
                "/CN=Some Other CA", "-days", "1", "-out", "other.pem").assertSuccess();
        Commands.Result result = openssl.run("ocsp", "-issuer", "other.pem", "-serial", "0x01", "-url", ocspUrl(), "-CAfile", "root.pem");
        assertThat(result.output()).contains("unauthorized");
    }

    @Test
    void severalCertificatesInOneRequestAreAnsweredTogetherWithTheNonce() {
        String out = ocsp("-cert", good.file().toString(), "-cert", compromised.file().toString()).assertSuccess().output();
        assertThat(out).contains("Response verify OK").contains(good.file() + ": good").contains(compromised.file() + ": revoked")
                .doesNotContain("WARNING");
    }

    @Test
    void sha256CertIdsAreAnswered() {
        String out = ocsp("-sha256", "-cert", good.file().toString()).assertSuccess().output();
        assertThat(out).contains("Response verify OK").contains(good.file() + ": good");
    }

    @Test
    void badOcspInputGetsAnOcspErrorStatusOrA4xxNeverA500() throws Exception {
        byte[] valid = request(good, false);
        assertThat(ocspStatus(postOcsp("not an OCSP request".getBytes(StandardCharsets.UTF_8)))).isEqualTo(1);
        assertThat(ocspStatus(postOcsp(java.util.Arrays.copyOf(valid, valid.length / 2)))).as("truncated").isEqualTo(1);
        assertThat(ocspStatus(postOcsp(new byte[0]))).as("empty").isEqualTo(1);
        openssl.run("ocsp", "-md5", "-issuer", "issuing.pem", "-cert", good.file().toString(), "-no_nonce", "-reqout", "md5.der").assertSuccess();
        assertThat(ocspStatus(postOcsp(openssl.read("md5.der")))).as("MD5 CertID").isEqualTo(1);
        assertThat(ocspStatus(postOcsp(requestWithNonce(good, new byte[64])))).as("a 64-byte nonce (RFC 8954)").isEqualTo(1);
        Binary big = app.plain("POST", "/ocsp", "application/ocsp-request", new byte[70_000]);
        assertThat(big.status()).isEqualTo(413);
        Binary garbageGet = app.plain("GET", "/ocsp/!!!not-base64!!!", null, null);
        assertThat(garbageGet.status()).isEqualTo(200);
        assertThat(ocspStatus(garbageGet.body())).isEqualTo(1);
        assertThat(app.plain("PUT", "/ocsp", "application/ocsp-request", valid).status()).isEqualTo(405);
        assertThat(app.plain("GET", "/ocsp", null, null).status()).isEqualTo(405);
        Binary emptyGet = app.plain("GET", "/ocsp/", null, null);
        assertThat(emptyGet.status()).isEqualTo(200);
        assertThat(ocspStatus(emptyGet.body())).isEqualTo(1);
        assertThat(emptyGet.header("Cache-Control")).isEqualTo("no-store");
        // The responder still works after all that, and counted what it answered.
        assertThat(status(postOcsp(valid))).isEqualTo("good");
        assertThat(app.get("/actuator/prometheus", admin).body()).containsPattern("certwright_ocsp_responses_total\\{status=\"successful\"} [1-9]")
                .containsPattern("certwright_ocsp_responses_total\\{status=\"malformedRequest\"} [1-9]");
    }

    @Test
    void theOcspListenerKeepsARelyingPartysConnectionOpenPastTomcatsDefaultOf100Requests() throws Exception {
        String path = "/ocsp/" + URLEncoder.encode(Base64.getEncoder().encodeToString(request(good, false)), StandardCharsets.UTF_8);
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", app.httpPort());
                DefaultBHttpClientConnection connection = new DefaultBHttpClientConnection(Http1Config.DEFAULT)) {
            socket.setSoTimeout(10_000);
            connection.bind(socket);
            for (int i = 1; i <= 300; i++) {
                BasicClassicHttpRequest get = new BasicClassicHttpRequest("GET", path);
                get.setHeader("Host", "127.0.0.1");
                connection.sendRequestHeader(get);
                connection.flush();
                ClassicHttpResponse response = connection.receiveResponseHeader();
                connection.receiveResponseEntity(response);
                assertThat(response.getCode()).as("request %d", i).isEqualTo(200);
                Header close = response.getFirstHeader("Connection");
                assertThat(close == null ? "" : close.getValue()).as("request %d", i).isNotEqualToIgnoringCase("close");
                assertThat(status(EntityUtils.toByteArray(response.getEntity()))).as("request %d", i).isEqualTo("good");
            }
        }
    }

    // --- CRLs ---

    @Test
    void theFullCrlListsTheRevocationWithinThePublishDelayAndOpensslVerifiesIt() throws Exception {
        Issued victim = issue("crl-within-the-delay", "tls-server", null);
        Response revoked = revoke(victim.serial(), "keyCompromise");
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        // The limit runs from the revocation: the publish delay, and a few seconds for the job to fire.
        X509CRL crl = awaitCrlEntry("/crl/dev-issuing.crl", victim.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
        X509CRLEntry entry = crl.getRevokedCertificate(victim.certificate().getSerialNumber());
        assertThat(entry.getRevocationReason()).isEqualTo(java.security.cert.CRLReason.KEY_COMPROMISE);
        assertThat(crl.getRevokedCertificate(good.certificate().getSerialNumber())).isNull();
        crl.verify(issuing.getPublicKey());

        openssl.write("full.crl", crl.getEncoded());
        String verify = openssl.run("crl", "-inform", "DER", "-in", "full.crl", "-CAfile", "chain.pem", "-noout", "-verify").output();
        assertThat(verify).contains("verify OK");
        String text = openssl.run("crl", "-inform", "DER", "-in", "full.crl", "-noout", "-text").assertSuccess().output();
        assertThat(text).contains("X509v3 CRL Number").contains("X509v3 Authority Key Identifier").contains("X509v3 Freshest CRL")
                .contains("/crl/dev-issuing-delta.crl").contains("Key Compromise").contains("Next Update")
                .containsIgnoringCase(victim.serial());
    }

    @Test
    void theCrlCarriesHeadersForACacheInFront() {
        Binary first = app.plain("GET", "/crl/dev-issuing.crl", null, null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("Content-Type")).isEqualTo("application/pkix-crl");
        assertThat(first.header("ETag")).startsWith("\"dev-issuing-");
        assertThat(first.header("Last-Modified")).isNotBlank();
        assertThat(first.header("Cache-Control")).contains("max-age=").contains("public");
        long maxAge = Long.parseLong(first.header("Cache-Control").replaceAll(".*max-age=(\\d+).*", "$1"));
        assertThat(maxAge).isPositive().isLessThanOrEqualTo(Duration.ofDays(7).toSeconds());
        Binary again = app.plain("GET", "/crl/dev-issuing.crl", null, null, "If-None-Match", first.header("ETag"));
        assertThat(again.status()).isIn(200, 304); // 200 only if a newer CRL was published in between
        if (again.status() == 304) {
            assertThat(again.body()).isEmpty();
        }
        assertThat(app.plain("GET", "/crl/nobody.crl", null, null).status()).isEqualTo(404);
    }

    @Test
    void theDeltaCrlCarriesTheIndicatorAndTheChange() throws Exception {
        X509CRL delta = awaitCrlEntry("/crl/dev-issuing-delta.crl", compromised.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
        delta.verify(issuing.getPublicKey());
        openssl.write("delta.crl", delta.getEncoded());
        assertThat(openssl.run("crl", "-inform", "DER", "-in", "delta.crl", "-CAfile", "chain.pem", "-noout", "-verify").output())
                .contains("verify OK");
        String text = openssl.run("crl", "-inform", "DER", "-in", "delta.crl", "-noout", "-text").assertSuccess().output();
        assertThat(text).contains("X509v3 Delta CRL Indicator: critical").contains("X509v3 CRL Number").contains("Key Compromise");
    }

    @Test
    void opensslVerifyWithCrlCheckRejectsTheRevokedCertificate() throws Exception {
        X509CRL full = awaitCrlEntry("/crl/dev-issuing.crl", compromised.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
        openssl.write("verify-full.crl", full.getEncoded());
        openssl.run("crl", "-inform", "DER", "-in", "verify-full.crl", "-out", "verify-full.pem").assertSuccess();
        Commands.Result revoked = openssl.run("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile",
                "verify-full.pem", compromised.file().toString());
        assertThat(revoked.exitCode()).isNotZero();
        assertThat(revoked.output()).contains("certificate revoked");
        Commands.Result fine = openssl.run("verify", "-crl_check", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile",
                "verify-full.pem", good.file().toString());
        assertThat(fine.output()).as(fine.output()).contains(": OK");

        // -crl_check_all: the root's CRL covers the intermediate.
        X509CRL rootCrl = awaitCrl("/crl/dev-root.crl", c -> true, PUBLISH_DELAY.plusSeconds(5));
        openssl.write("root.crl", rootCrl.getEncoded());
        openssl.run("crl", "-inform", "DER", "-in", "root.crl", "-out", "root-crl.pem").assertSuccess();
        Commands.Result all = openssl.run("verify", "-crl_check_all", "-CAfile", "root.pem", "-untrusted", "issuing.pem", "-CRLfile",
                "verify-full.pem", "-CRLfile", "root-crl.pem", good.file().toString());
        assertThat(all.output()).as(all.output()).contains(": OK");
    }

    @Test
    void javasPkixValidatorReachesTheSameVerdictsOverOcspAndOverCrls() throws Exception {
        // The validator fetches the CRL from the certificate's distribution point: it must already list the fixture.
        awaitCrlEntry("/crl/dev-issuing.crl", compromised.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
        for (boolean preferCrls : List.of(false, true)) {
            EnumSet<PKIXRevocationChecker.Option> options = preferCrls
                    ? EnumSet.of(PKIXRevocationChecker.Option.PREFER_CRLS, PKIXRevocationChecker.Option.NO_FALLBACK)
                    : EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK);
            validate(good.certificate(), options);
            assertThatThrownBy(() -> validate(compromised.certificate(), options)).as(preferCrls ? "CRL" : "OCSP")
                    .isInstanceOf(CertPathValidatorException.class)
                    .satisfies(e -> assertThat(((CertPathValidatorException) e).getReason())
                            .isEqualTo(CertPathValidatorException.BasicReason.REVOKED));
        }
    }

    // --- holds, refusals, managed certificates, expired certificates ---

    @Test
    void aHoldCanBeReleasedAndTheDeltaCrlSaysRemoveFromCrl() throws Exception {
        Issued held = issue("held", "tls-server", null);
        assertThat(revoke(held.serial(), "certificateHold").status()).isEqualTo(200);
        assertThat(ocsp("-cert", held.file().toString()).output()).contains(held.file() + ": revoked").contains("Reason: certificateHold");
        awaitCrlEntry("/crl/dev-issuing.crl", held.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));

        Response released = app.send("POST", "/api/v1/certificates/" + held.serial() + "/unrevoke", admin, null, null);
        assertThat(released.status()).as(released.toString()).isEqualTo(200);
        assertThat(released.json().get("status").asString()).isEqualTo("ISSUED");
        assertThat(ocsp("-cert", held.file().toString()).output()).contains(held.file() + ": good");

        X509CRL delta = awaitCrlEntry("/crl/dev-issuing-delta.crl", held.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5),
                e -> e.getRevocationReason() == java.security.cert.CRLReason.REMOVE_FROM_CRL);
        assertThat(delta.getRevokedCertificate(held.certificate().getSerialNumber()).getRevocationReason())
                .isEqualTo(java.security.cert.CRLReason.REMOVE_FROM_CRL);
        X509CRL full = awaitCrl("/crl/dev-issuing.crl", c -> c.getRevokedCertificate(held.certificate().getSerialNumber()) == null,
                PUBLISH_DELAY.plusSeconds(5));
        assertThat(full.getRevokedCertificate(compromised.certificate().getSerialNumber())).isNotNull();

        assertProblem(app.send("POST", "/api/v1/certificates/" + held.serial() + "/unrevoke", admin, null, null), 409);
        // A hold may later become a final revocation.
        assertThat(revoke(held.serial(), "certificateHold").status()).isEqualTo(200);
        Response finalRevocation = revoke(held.serial(), "cessationOfOperation");
        assertThat(finalRevocation.status()).as(finalRevocation.toString()).isEqualTo(200);
        assertThat(finalRevocation.json().get("revocationReason").asString()).isEqualTo("cessationOfOperation");
        assertThat(ocsp("-cert", held.file().toString()).output()).contains("Reason: cessationOfOperation");
    }

    @Test
    void refusalsAreProblemDocumentsAndChangeNothing() throws Exception {
        assertProblem(revoke(compromised.serial(), "keyCompromise"), 409);
        assertProblem(revoke(good.serial(), "sleepy"), 400);
        assertProblem(revoke(good.serial(), "removeFromCRL"), 400);
        assertProblem(revoke("0123456789abcdef", "keyCompromise"), 404);
        assertProblem(revoke("not-hex", "keyCompromise"), 400);
        assertProblem(app.send("POST", "/api/v1/certificates/" + good.serial() + "/revoke", admin, "application/json", "{\"reason\": 7}"), 400);
        assertProblem(app.send("POST", "/api/v1/certificates/" + good.serial() + "/revoke", admin, "application/json", "{not json"), 400);
        assertProblem(revoke(root.getSerialNumber().toString(16), "keyCompromise"), 422);
        assertProblem(app.send("POST", "/api/v1/certificates/" + good.serial() + "/unrevoke", admin, null, null), 409);

        // A certificate from another CA is imported, and cannot be revoked here.
        openssl.run("req", "-x509", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-keyout", "elsewhere.key", "-subj",
                "/CN=elsewhere.test", "-days", "2", "-out", "elsewhere.pem").assertSuccess();
        Response imported = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", Files.readString(work.resolve("elsewhere.pem")),
                "owner", "team-x"));
        assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
        assertProblem(revoke(imported.json().get("serial").asString(), "keyCompromise"), 422);

        Response viewerToken = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "viewer-" + System.nanoTime(), "role", "VIEWER"));
        String viewer = viewerToken.json().get("token").asString();
        assertProblem(app.send("POST", "/api/v1/certificates/" + good.serial() + "/revoke", viewer, "application/json",
                "{\"reason\":\"keyCompromise\"}"), 403);
        assertProblem(app.send("POST", "/api/v1/certificates/" + good.serial() + "/revoke", null, "application/json",
                "{\"reason\":\"keyCompromise\"}"), 401);
        assertThat(status(postOcsp(request(good, false)))).isEqualTo("good");
        assertThat(app.get("/api/v1/certificates/" + good.serial(), admin).json().get("status").asString()).isEqualTo("ISSUED");
    }

    @Test
    void aManagedCertificatesCurrentInstanceIsRevokedByName() {
        Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "revoke-me", "profile", "tls-server",
                "dnsNames", List.of("revoke-me.test"), "keyAlgorithm", "EC-P256", "owner", "team-web"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String serial = created.json().get("serial").asString();
        Response revoked = app.postJson("/api/v1/managed-certificates/revoke-me/revoke", admin, Map.of("reason", "superseded"));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertThat(revoked.json().get("serial").asString()).isEqualTo(serial);
        assertThat(ocsp("-serial", "0x" + serial).output()).contains(": revoked").contains("Reason: superseded");
        assertProblem(app.postJson("/api/v1/managed-certificates/nobody/revoke", admin, Map.of("reason", "superseded")), 404);
        assertProblem(app.postJson("/api/v1/managed-certificates/revoke-me/revoke", admin, Map.of("reason", "superseded")), 409);
    }

    @Test
    void anExpiredCertificateCanStillBeRevoked() throws Exception {
        Instant notAfter = expiring.certificate().getNotAfter().toInstant();
        assertThat(Duration.between(Instant.now(), notAfter)).as("issued for 20 s").isLessThan(Duration.ofSeconds(21));
        org.awaitility.Awaitility.await("the certificate's expiry").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> Instant.now().isAfter(notAfter.plusSeconds(1)));
        assertThat(app.get("/api/v1/certificates/" + expiring.serial(), admin).json().get("status").asString()).isEqualTo("EXPIRED");
        Response revoked = revoke(expiring.serial(), "privilegeWithdrawn");
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        // openssl prints reasons 9 and 10 as "(UNKNOWN)": its table ends at removeFromCRL (8). The code itself is checked.
        assertThat(ocsp("-cert", expiring.file().toString()).output()).contains("Response verify OK").contains(": revoked");
        BasicOCSPResp basic = (BasicOCSPResp) new OCSPResp(postOcsp(request(expiring, false))).getResponseObject();
        assertThat(((RevokedStatus) basic.getResponses()[0].getCertStatus()).getRevocationReason()).isEqualTo(9);
        awaitCrlEntry("/crl/dev-issuing.crl", expiring.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
    }

    @Test
    void everyRevocationIsInTheAuditLogWithItsActor() {
        Issued revoked = issue("audited-revocation", "tls-server", null);
        assertThat(revoke(revoked.serial(), "keyCompromise").status()).isEqualTo(200);
        Issued released = issue("audited-hold", "tls-server", null);
        assertThat(revoke(released.serial(), "certificateHold").status()).isEqualTo(200);
        Response release = app.send("POST", "/api/v1/certificates/" + released.serial() + "/unrevoke", admin, null, null);
        assertThat(release.status()).as(release.toString()).isEqualTo(200);
        JsonNode entries = app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + revoked.serial(), admin).json();
        assertThat(entries.toString()).contains("certificate.revoked").contains("keyCompromise");
        JsonNode holds = app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + released.serial(), admin).json();
        assertThat(holds.toString()).contains("certificate.hold-released");
        assertThat(app.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void theRootsCrlAndOcspCoverTheIntermediate() throws Exception {
        // The class's own second intermediate: revoking dev-issuing would break the chain every other test relies on.
        Issued leaf = issue("under-revocable", REVOCABLE_PROFILE, null);
        byte[] intermediateRequest = new OCSPReqBuilder().addRequest(certificateId(root, revocableIssuing.getSerialNumber())).build().getEncoded();
        byte[] leafRequest = new OCSPReqBuilder().addRequest(certificateId(revocableIssuing, leaf.certificate().getSerialNumber())).build()
                .getEncoded();
        // Both responders answer "good" first, and the whole path validates: the refusal below is the revocation's doing.
        org.awaitility.Awaitility.await("the root's and the intermediate's OCSP responders").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> ocspStatus(postOcsp(intermediateRequest)) == OCSPResp.SUCCESSFUL && ocspStatus(postOcsp(leafRequest)) == OCSPResp.SUCCESSFUL);
        assertThat(status(postOcsp(intermediateRequest))).isEqualTo("good");
        validateWholePath(leaf.certificate(), revocableIssuing);

        Response revoked = revoke(revocableIssuing.getSerialNumber().toString(16), "cACompromise");
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        X509CRL rootCrl = awaitCrlEntry("/crl/dev-root.crl", revocableIssuing.getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
        rootCrl.verify(root.getPublicKey());
        assertThat(rootCrl.getRevokedCertificate(revocableIssuing.getSerialNumber()).getRevocationReason())
                .isEqualTo(java.security.cert.CRLReason.CA_COMPROMISE);
        // Java's validator, checking the whole path over OCSP, now refuses a leaf whose own status is good.
        assertThat(status(postOcsp(leafRequest))).isEqualTo("good");
        assertThatThrownBy(() -> validateWholePath(leaf.certificate(), revocableIssuing)).isInstanceOf(CertPathValidatorException.class)
                .satisfies(e -> assertThat(((CertPathValidatorException) e).getReason()).isEqualTo(CertPathValidatorException.BasicReason.REVOKED));
    }

    @Test
    void noSecretReachesTheLog() {
        // Traffic of its own, whatever ran before: the admin token on a revocation, and a token the server refuses.
        Issued own = issue("log-check", "tls-server", null);
        assertThat(revoke(own.serial(), "superseded").status()).isEqualTo(200);
        String refused = "certwright-not-a-token-" + System.nanoTime();
        assertProblem(app.send("POST", "/api/v1/certificates/" + own.serial() + "/revoke", refused, "application/json",
                "{\"reason\":\"keyCompromise\"}"), 401);
        assertThat(app.log()).doesNotContain(admin).doesNotContain(refused).doesNotContain("PRIVATE KEY").doesNotContain("ERROR");
        // stop() checks the whole run's log again after the last test.
    }

    // --- helpers ---

    Issued issue(String name, String profile, String validity) {
        Map<String, Object> body = new java.util.HashMap<>(Map.of("csr", openssl.csr("/CN=" + name + ".test", "subjectAltName=DNS:" + name + ".test"),
                "profile", profile, "owner", "team-revocation"));
        if (validity != null) {
            body.put("validity", validity);
        }
        Response response = app.postJson("/api/v1/certificates", admin, body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        Path file = openssl.write(name + ".pem", response.json().get("certificatePem").asString());
        return new Issued(response.json().get("serial").asString(), file, Openssl.parse(response.json().get("certificatePem").asString()));
    }

    Response revoke(String serial, String reason) {
        return app.postJson("/api/v1/certificates/" + serial + "/revoke", admin, Map.of("reason", reason));
    }

    String ocspUrl() {
        return "http://127.0.0.1:" + app.httpPort() + "/ocsp";
    }

    /** openssl ocsp over POST, with a nonce, verifying the response against the root with the intermediate as untrusted. */
    Commands.Result ocsp(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("ocsp", "-issuer", "issuing.pem", "-url", ocspUrl(), "-CAfile", "root.pem",
                "-verify_other", "issuing.pem", "-timeout", "10"));
        command.addAll(List.of(args));
        return openssl.run(command.toArray(String[]::new));
    }

    void awaitOcspResponders() throws Exception {
        byte[] request = request(good, false);
        org.awaitility.Awaitility.await("the OCSP responder answering").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> new OCSPResp(postOcsp(request)).getStatus() == OCSPResp.SUCCESSFUL);
    }

    byte[] request(Issued issued, boolean nonce) throws Exception {
        return nonce ? requestWithNonce(issued, new byte[16]) : new OCSPReqBuilder().addRequest(certificateId(issued)).build().getEncoded();
    }

    byte[] requestWithNonce(Issued issued, byte[] nonce) throws Exception {
        return new OCSPReqBuilder().addRequest(certificateId(issued))
                .setRequestExtensions(new Extensions(new Extension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce, false,
                        new DEROctetString(new DEROctetString(nonce).getEncoded()))))
                .build().getEncoded();
    }

    CertificateID certificateId(Issued issued) throws Exception {
        return certificateId(issuing, issued.certificate().getSerialNumber());
    }

    CertificateID certificateId(X509Certificate issuer, BigInteger serial) throws Exception {
        return new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), serial);
    }

    byte[] postOcsp(byte[] request) {
        Binary response = app.plain("POST", "/ocsp", "application/ocsp-request", request);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("application/ocsp-response");
        return response.body();
    }

    static int ocspStatus(byte[] response) throws Exception {
        return new OCSPResp(response).getStatus();
    }

    static String status(byte[] response) throws Exception {
        OCSPResp parsed = new OCSPResp(response);
        assertThat(parsed.getStatus()).isEqualTo(OCSPResp.SUCCESSFUL);
        Object status = ((BasicOCSPResp) parsed.getResponseObject()).getResponses()[0].getCertStatus();
        return status == null ? "good" : status instanceof RevokedStatus ? "revoked" : "unknown";
    }

    X509CRL awaitCrlEntry(String path, BigInteger serial, Duration limit) throws Exception {
        return awaitCrlEntry(path, serial, limit, e -> true);
    }

    X509CRL awaitCrlEntry(String path, BigInteger serial, Duration limit, java.util.function.Predicate<X509CRLEntry> matching) throws Exception {
        return awaitCrl(path, c -> c.getRevokedCertificate(serial) != null && matching.test(c.getRevokedCertificate(serial)), limit);
    }

    /** Polls the CRL until it satisfies the condition; fails after the limit, measured from the call. */
    X509CRL awaitCrl(String path, java.util.function.Predicate<X509CRL> condition, Duration limit) throws Exception {
        return org.awaitility.Awaitility.await(path + " reaching the expected state").atMost(limit).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Binary response = app.plain("GET", path, null, null);
                    return response.status() == 200
                            ? (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(response.body()))
                            : null;
                }, crl -> crl != null && condition.test(crl));
    }

    /** Java's PKIX validator on leaf + intermediate, checking the leaf's revocation as the options say. */
    void validate(X509Certificate leaf, Set<PKIXRevocationChecker.Option> options) throws Exception {
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        EnumSet<PKIXRevocationChecker.Option> all = EnumSet.of(PKIXRevocationChecker.Option.ONLY_END_ENTITY);
        all.addAll(options);
        checker.setOptions(all);
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.addCertPathChecker(checker);
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf, issuing));
        validator.validate(path, parameters);
    }

    /** Java's PKIX validator checking every certificate of the path (leaf, its intermediate) over OCSP. */
    void validateWholePath(X509Certificate leaf, X509Certificate intermediate) throws Exception {
        CertPathValidator validator = CertPathValidator.getInstance("PKIX");
        PKIXRevocationChecker checker = (PKIXRevocationChecker) validator.getRevocationChecker();
        checker.setOptions(EnumSet.of(PKIXRevocationChecker.Option.NO_FALLBACK));
        PKIXParameters parameters = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
        parameters.addCertPathChecker(checker);
        validator.validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(leaf, intermediate)), parameters);
    }

    static void assertProblem(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }
}
