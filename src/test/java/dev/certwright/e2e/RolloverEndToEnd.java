package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
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
 * Issuer rollover end to end, against the packaged application, checked the way relying parties and operators check
 * it: the serials' issuers and the Authority Key Identifiers before and after the switch time, {@code openssl verify}
 * of old and new leaves against the same root, {@code openssl ocsp} and {@code openssl crl} for both generations, the
 * ACME renewal window moved to the switch (RFC 9773), a managed certificate renewed by the schedule onto the
 * successor, and a predecessor that retires once its last certificate has expired. Subclasses choose the database.
 * <p>
 * Every test rolls over an issuer of its own, added to this class's copy of dev.yml, so that the tests run in any
 * order: {@value #ROLL} (the central flow), {@value #RETIRE} (retirement), and those of the subclasses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RolloverEndToEnd {

    static final String ROLL = "roll-issuing";
    static final String ROLL_PROFILE = "roll-server";
    static final String ROLL_SHORT_PROFILE = "roll-short";
    static final String RETIRE = "retire-issuing";
    static final String RETIRE_PROFILE = "retire-short";
    /** How far ahead the central flow's switch lies: room for the rollover request and one issuance on a loaded machine. */
    static final Duration SWITCH_DELAY = Duration.ofSeconds(15);

    /** Issuers and profiles of this class and its subclasses, added to dev.yml: intermediates under dev-root and roots of their own. */
    static final String ISSUERS = intermediate(ROLL, "dev-root", "Rollover Issuing") + intermediate(RETIRE, "dev-root", "Retiring Issuing")
            + root("xroot", "Cross Root") + intermediate("xroot-issuing", "xroot", "Cross Issuing")
            + intermediate("crash-issuing", "dev-root", "Crash Issuing") + root("refuse-root", "Refusal Root")
            + intermediate("refuse-child", "refuse-root", "Refusal Child") + intermediate("refuse-issuing", "dev-root", "Refusal Issuing")
            + intermediate("peer-issuing", "dev-root", "Peer Issuing");
    static final String PROFILES = profile(ROLL_PROFILE, ROLL, "PT10S", "P90D", false) + profile(ROLL_SHORT_PROFILE, ROLL, "PT10S", "PT10M", false)
            + profile(RETIRE_PROFILE, RETIRE, "PT5S", "PT1H", false) + profile("xroot-server", "xroot-issuing", "PT1H", "P90D", true)
            + profile("crash-server", "crash-issuing", "PT1H", "P90D", false) + profile("peer-server", "peer-issuing", "PT1H", "P90D", false);

    Path work;
    Openssl openssl;
    TestDatabase database;
    CertwrightProcess.Options options;
    CertwrightProcess app;
    String admin;
    X509Certificate root;
    Path caConfig;

    record Issued(String serial, String issuer, Path file, X509Certificate certificate) {
    }

    abstract TestDatabase database();

    /** Arguments a subclass adds to the server's (ACME ports, the DNS resolver). */
    CertwrightProcess.Options withPeers(CertwrightProcess.Options options) throws Exception {
        return options;
    }

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-rollover-");
        openssl = new Openssl(work);
        database = database();
        String devConfig = Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"));
        assertThat(devConfig).contains("\nprofiles:\n");
        caConfig = Files.writeString(work.resolve("ca-config.yml"), devConfig.replace("\nprofiles:\n", "\n" + ISSUERS + "\nprofiles:\n" + PROFILES));
        options = withPeers(timings(new CertwrightProcess.Options(work.resolve("data"), database)));
        app = CertwrightProcess.start(options);
        admin = app.adminToken();
        root = app.root();
        openssl.write("root.pem", Openssl.pem(root));
    }

    @AfterAll
    void stop() {
        try {
            if (app != null && admin != null) {
                assertThat(app.log()).doesNotContain(admin).doesNotContain("PRIVATE KEY").doesNotContain(" ERROR ");
            }
        } finally {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    // --- the central flow ---

    @Test
    void anIntermediateRollsOverAtItsSwitchTimeAndBothGenerationsAnswer() throws Exception {
        X509Certificate first = certificate(ROLL);
        Issued before = issue("roll-before", ROLL_PROFILE, null);
        assertThat(before.issuer()).isEqualTo(ROLL);
        assertThat(aki(before.certificate())).isEqualTo(ski(first));
        JsonNode usual = renewalWindow(before.certificate());

        Instant switchAt = Instant.now().plus(SWITCH_DELAY).truncatedTo(ChronoUnit.SECONDS);
        Response rolled = rollover(ROLL, Map.of("switchAt", switchAt.toString()));
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        JsonNode successor = rolled.json();
        String next = ROLL + "-g2";
        assertThat(header(rolled, "Location")).isEqualTo("/api/v1/issuers/" + next);
        assertThat(successor.get("name").asString()).isEqualTo(next);
        assertThat(successor.get("issuer").asString()).isEqualTo(ROLL);
        assertThat(successor.get("generation").asInt()).isEqualTo(2);
        assertThat(successor.get("state").asString()).isEqualTo("STANDBY");
        assertThat(successor.get("predecessor").asString()).isEqualTo(ROLL);
        assertThat(successor.get("parent").asString()).isEqualTo("dev-root");
        assertThat(Instant.parse(successor.get("switchAt").asString())).isEqualTo(switchAt);
        X509Certificate second = Openssl.parse(successor.get("certificatePem").asString());
        // A new key under the same subject, from the same root.
        assertThat(second.getSubjectX500Principal()).isEqualTo(first.getSubjectX500Principal());
        assertThat(second.getPublicKey()).isNotEqualTo(first.getPublicKey());
        assertThat(aki(second)).isEqualTo(ski(root)).isEqualTo(aki(first));
        assertThat(second.getBasicConstraints()).isEqualTo(0);
        JsonNode predecessor = issuer(ROLL);
        assertThat(predecessor.get("successor").asString()).isEqualTo(next);
        assertThat(predecessor.get("state").asString()).isEqualTo("ACTIVE");
        assertThat(names(app.get("/api/v1/issuers", admin).json())).contains(ROLL, next);
        Binary published = app.plain("GET", "/ca/" + next + ".crt", null, null);
        assertThat(published.status()).isEqualTo(200);
        assertThat(published.body()).isEqualTo(second.getEncoded());
        assertThat(audit("ca.issuer.rolled-over", next)).hasSize(1);

        // Until the switch, new certificates still come from the predecessor.
        Issued standby = issue("roll-standby", ROLL_PROFILE, null);
        assertThat(Instant.now()).as("issued before the switch time (the machine took longer than " + SWITCH_DELAY + ")").isBefore(switchAt);
        assertThat(standby.issuer()).isEqualTo(ROLL);
        assertThat(aki(standby.certificate())).isEqualTo(ski(first));
        // A managed certificate made now, issued by the predecessor, that the schedule renews after the switch: due a third
        // of its life before notAfter, and its life includes up to a minute of backdating, so at least 40 s from now.
        Response managed = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "roll-managed", "profile", ROLL_SHORT_PROFILE,
                "dnsNames", List.of("roll-managed.test"), "owner", "team-rollover", "validity", "PT90S"));
        assertThat(managed.status()).as(managed.toString()).isEqualTo(201);
        assertThat(issuerOfSerial(managed.json().get("serial").asString())).isEqualTo(ROLL);
        // RFC 9773: the predecessor's certificates are due from the switch on, for as long as their usual window lasts.
        JsonNode moved = renewalWindow(before.certificate());
        assertThat(Instant.parse(moved.get("start").asString())).isEqualTo(switchAt);
        assertThat(Duration.between(Instant.parse(moved.get("start").asString()), Instant.parse(moved.get("end").asString())))
                .isCloseTo(Duration.between(Instant.parse(usual.get("start").asString()), Instant.parse(usual.get("end").asString())),
                        Duration.ofSeconds(1));

        // From the switch on, they come from the successor, and the predecessor is retiring.
        awaitState(next, "ACTIVE", SWITCH_DELAY.plusSeconds(30));
        assertThat(issuer(ROLL).get("state").asString()).isEqualTo("RETIRING");
        Issued after = issue("roll-after", ROLL_PROFILE, null);
        assertThat(after.issuer()).isEqualTo(next);
        assertThat(aki(after.certificate())).isEqualTo(ski(second)).isNotEqualTo(ski(first));
        String text = openssl.run("x509", "-in", after.file().toString(), "-noout", "-text").assertSuccess().output();
        assertThat(text).contains("/crl/" + next + ".crl").contains("/ca/" + next + ".crt");

        // openssl verifies old and new leaves against the same root, each through its own generation.
        Path firstPem = openssl.write(ROLL + ".pem", Openssl.pem(first));
        Path secondPem = openssl.write(next + ".pem", Openssl.pem(second));
        for (Issued leaf : List.of(before, standby)) {
            assertThat(verify(firstPem, leaf.file()).output()).contains(leaf.file() + ": OK");
        }
        assertThat(verify(secondPem, after.file()).output()).contains(after.file() + ": OK");
        assertThat(verify(firstPem, after.file()).exitCode()).as("the new leaf does not chain through the old key").isNotZero();

        // OCSP and the CRLs answer for both generations: one certificate of each is revoked.
        awaitOcsp(secondPem, after.file(), ": good");
        assertThat(ocsp(firstPem, before.file()).output()).contains("Response verify OK").contains(before.file() + ": good");
        Issued revokedNew = issue("roll-revoked-new", ROLL_PROFILE, null);
        for (Issued victim : List.of(standby, revokedNew)) {
            Response revoked = app.postJson("/api/v1/certificates/" + victim.serial() + "/revoke", admin, Map.of("reason", "superseded"));
            assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        }
        awaitOcsp(firstPem, standby.file(), ": revoked");
        awaitOcsp(secondPem, revokedNew.file(), ": revoked");
        assertCrlLists(ROLL, firstPem, standby.certificate().getSerialNumber(), revokedNew.certificate().getSerialNumber());
        assertCrlLists(next, secondPem, revokedNew.certificate().getSerialNumber(), standby.certificate().getSerialNumber());

        // Renewals move by themselves: the schedule renewed the managed certificate through issuance, from the successor.
        await("the managed certificate renewed by the schedule").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                .until(() -> !app.get("/api/v1/managed-certificates/roll-managed", admin).json().get("serial").asString()
                        .equals(managed.json().get("serial").asString()));
        JsonNode renewed = app.get("/api/v1/managed-certificates/roll-managed", admin).json();
        assertThat(issuerOfSerial(renewed.get("serial").asString())).isEqualTo(next);
        Path renewedPem = openssl.write("roll-managed.pem", renewed.get("certificatePem").asString());
        assertThat(verify(secondPem, renewedPem).output()).contains(": OK");
    }

    // --- retirement ---

    /**
     * Two rollovers in a row: the second generation's last certificate expires before the first's, so it retires first,
     * and the first stays retiring (it never issues again); each retires once, with one audit entry, and its CRL goes.
     */
    @Test
    void aRetiringGenerationRetiresWhenTheLastCertificateItSignedExpires() throws Exception {
        Issued last = issue("retire-last", RETIRE_PROFILE, "PT30S");
        Response rolled = rollover(RETIRE, Map.of());
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        assertThat(rolled.json().get("state").asString()).as("switchAt left out: now").isEqualTo("ACTIVE");
        assertThat(issuer(RETIRE).get("state").asString()).isEqualTo("RETIRING");
        Issued middle = issue("retire-middle", RETIRE_PROFILE, "PT5S");
        assertThat(middle.issuer()).isEqualTo(RETIRE + "-g2");
        // The configured name rolls the current generation over.
        Response again = rollover(RETIRE, Map.of());
        assertThat(again.status()).as(again.toString()).isEqualTo(201);
        assertThat(again.json().get("name").asString()).isEqualTo(RETIRE + "-g3");
        assertThat(again.json().get("predecessor").asString()).isEqualTo(RETIRE + "-g2");
        // Until their last certificates expire, both predecessors publish their CRLs (g2's first one within the publish delay).
        for (String generation : List.of(RETIRE, RETIRE + "-g2")) {
            await(generation + "'s CRL").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                    .until(() -> app.plain("GET", "/crl/" + generation + ".crl", null, null).status() == 200);
        }

        awaitState(RETIRE + "-g2", "RETIRED", Duration.ofSeconds(60));
        if (Instant.now().isBefore(last.certificate().getNotAfter().toInstant())) {
            assertThat(issuer(RETIRE).get("state").asString()).as("the first generation does not wake up").isEqualTo("RETIRING");
        }
        assertThat(issue("retire-next", RETIRE_PROFILE, "PT1M").issuer()).isEqualTo(RETIRE + "-g3");
        awaitState(RETIRE, "RETIRED", Duration.ofSeconds(60));
        assertThat(Instant.now()).isAfterOrEqualTo(last.certificate().getNotAfter().toInstant());
        for (String generation : List.of(RETIRE, RETIRE + "-g2")) {
            await(generation + "'s CRL withdrawn").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> app.plain("GET", "/crl/" + generation + ".crl", null, null).status() == 404);
            assertThat(app.plain("GET", "/ca/" + generation + ".crt", null, null).status()).as("its certificate stays published").isEqualTo(200);
            assertThat(audit("ca.issuer.retired", generation)).hasSize(1);
        }
        await(RETIRE + "-g3's CRL").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> app.plain("GET", "/crl/" + RETIRE + "-g3.crl", null, null).status() == 200);
        assertThat(issuer(RETIRE + "-g3").get("state").asString()).isEqualTo("ACTIVE");
        Response retired = rollover(RETIRE + "-g2", Map.of());
        assertProblem(retired, 409);
        assertThat(retired.json().get("detail").asString()).contains("retired");
    }

    // --- helpers ---

    /**
     * This class's configuration and timings: the registry's refresh (which also retires generations) every second, OCSP
     * responders for a new generation within two, CRLs within three, and a renewal scan every two seconds. A second node
     * on the same database must have them too: the clustered jobs' schedules are shared, and the last node started sets them.
     */
    CertwrightProcess.Options timings(CertwrightProcess.Options options) {
        return options.arg("--certwright.ca-config=" + caConfig).arg("--certwright.ca.refresh-interval=PT1S")
                .arg("--certwright.ocsp.presign-interval=PT2S").arg("--certwright.crl.publish-delay=PT3S")
                .arg("--certwright.renewal.scan-interval=PT2S");
    }

    static String intermediate(String name, String parent, String cn) {
        return "  " + name + ":\n    parent: " + parent + "\n    subject: \"CN=Certwright Test " + cn + " CA,O=Certwright Development\"\n"
                + "    keyAlgorithm: EC-P256\n    validity: P1825D\n    pathLength: 0\n";
    }

    static String root(String name, String cn) {
        return "  " + name + ":\n    subject: \"CN=Certwright Test " + cn + " CA,O=Certwright Development\"\n"
                + "    keyAlgorithm: EC-P256\n    validity: P3650D\n    pathLength: 1\n";
    }

    static String profile(String name, String issuer, String min, String max, boolean acme) {
        return "  " + name + ":\n    issuer: " + issuer + "\n    extendedKeyUsages: [serverAuth]\n    minValidity: " + min + "\n    maxValidity: " + max
                + "\n    defaultValidity: " + max + "\n    acme: " + acme + "\n";
    }

    Response rollover(String name, Map<String, Object> body) {
        return app.postJson("/api/v1/issuers/" + name + "/rollover", admin, body);
    }

    JsonNode issuer(String name) {
        Response response = app.get("/api/v1/issuers/" + name, admin);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    X509Certificate certificate(String issuer) {
        Binary response = app.plain("GET", "/ca/" + issuer + ".pem", null, null);
        assertThat(response.status()).isEqualTo(200);
        return Openssl.parse(new String(response.body(), java.nio.charset.StandardCharsets.US_ASCII));
    }

    static List<String> names(JsonNode issuers) {
        List<String> names = new java.util.ArrayList<>();
        issuers.forEach(i -> names.add(i.get("name").asString()));
        return names;
    }

    void awaitState(String name, String state, Duration limit) {
        await(name + " " + state).atMost(limit).pollInterval(Duration.ofMillis(250)).until(() -> issuer(name).get("state").asString().equals(state));
    }

    Issued issue(String label, String profile, String validity) {
        Map<String, Object> body = new HashMap<>(Map.of("csr", openssl.csr("/CN=" + label + ".test", "subjectAltName=DNS:" + label + ".test"),
                "profile", profile, "owner", "team-rollover"));
        if (validity != null) {
            body.put("validity", validity);
        }
        Response response = app.postJson("/api/v1/certificates", admin, body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        String pem = response.json().get("certificatePem").asString();
        return new Issued(response.json().get("serial").asString(), response.json().get("issuer").asString(), openssl.write(label + ".pem", pem),
                Openssl.parse(pem));
    }

    String issuerOfSerial(String serial) {
        return app.get("/api/v1/certificates/" + serial, admin).json().get("issuer").asString();
    }

    List<JsonNode> audit(String action, String subject) {
        List<JsonNode> entries = new java.util.ArrayList<>();
        app.get("/api/v1/audit-log?action=" + action + "&subjectId=" + subject, admin).json().forEach(entries::add);
        return entries;
    }

    /** openssl verify against the root, with the generation's certificate as the only intermediate on offer. */
    Commands.Result verify(Path generation, Path leaf) {
        return openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", generation.toString(), leaf.toString());
    }

    /** openssl ocsp over POST to our responder, the response verified against the root with the generation as intermediate. */
    Commands.Result ocsp(Path generation, Path leaf) {
        return openssl.run("ocsp", "-issuer", generation.toString(), "-cert", leaf.toString(), "-url", "http://127.0.0.1:" + app.httpPort() + "/ocsp",
                "-CAfile", "root.pem", "-verify_other", generation.toString(), "-timeout", "10");
    }

    void awaitOcsp(Path generation, Path leaf, String verdict) {
        await("openssl ocsp saying" + verdict).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String out = ocsp(generation, leaf).output();
            return out.contains("Response verify OK") && out.contains(leaf + verdict);
        });
    }

    /** The generation's full CRL lists {@code listed}, not {@code absent}, and openssl verifies its signature with that generation's key. */
    void assertCrlLists(String generation, Path generationPem, BigInteger listed, BigInteger absent) throws Exception {
        X509CRL crl = await(generation + "'s CRL listing " + listed.toString(16)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Binary response = app.plain("GET", "/crl/" + generation + ".crl", null, null);
                    return response.status() == 200
                            ? (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new java.io.ByteArrayInputStream(response.body()))
                            : null;
                }, c -> c != null && c.getRevokedCertificate(listed) != null);
        assertThat(crl.getRevokedCertificate(absent)).isNull();
        Path file = openssl.write(generation + ".crl", crl.getEncoded());
        String out = openssl.run("crl", "-inform", "DER", "-in", file.toString(), "-CAfile", generationPem.toString(), "-noout", "-verify").output();
        assertThat(out).contains("verify OK");
        assertThat(openssl.run("crl", "-inform", "DER", "-in", file.toString(), "-noout", "-text").assertSuccess().output())
                .containsIgnoringCase(listed.toString(16).toUpperCase(java.util.Locale.ROOT));
    }

    /** GET renewal-info for a certificate (RFC 9773 §4.1: base64url of the AKI keyIdentifier, '.', base64url of the serial's DER). */
    JsonNode renewalWindow(X509Certificate certificate) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        String certId = url.encodeToString(aki(certificate)) + "." + url.encodeToString(certificate.getSerialNumber().toByteArray());
        Response response = app.get("/acme/renewal-info/" + certId, null);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json().get("suggestedWindow");
    }

    static byte[] ski(X509Certificate certificate) {
        try {
            return SubjectKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(certificate).getExtensions()).getKeyIdentifier();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] aki(X509Certificate certificate) {
        try {
            return AuthorityKeyIdentifier.fromExtensions(new JcaX509CertificateHolder(certificate).getExtensions()).getKeyIdentifier();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String header(Response response, String name) {
        return response.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().get(0)).findFirst()
                .orElse(null);
    }

    static void assertProblem(Response response, int status) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        assertThat(response.contentType()).as(response.toString()).startsWith("application/problem+json");
        assertThat(response.json().get("detail").asString()).isNotBlank();
    }
}
