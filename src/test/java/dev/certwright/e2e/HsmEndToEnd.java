package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Binary;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.Openssl;
import dev.certwright.support.Pkcs11Objects;
import dev.certwright.support.SoftHsm;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Issuer keys in an HSM (issue 21, decision 72), against the packaged server and a real SoftHSM2 token made for the
 * class in a temporary directory: the server starts with {@code SOFTHSM2_CONF} naming it, the PIN in
 * {@value #PIN_ENV}, and a ca-config whose {@code keyStore} is of type pkcs11. Checked the way an operator and relying
 * parties check it: {@code pkcs11-tool --list-objects --login} for the keys (sensitive, never extractable, only
 * signing) and the real certificates beside them, {@code openssl verify} for what the token issuers sign over REST,
 * {@code openssl crl} and {@code openssl ocsp} for revocation, a rollover whose successor's key is in the token, and
 * the CA keystore in the database with no private key of an HSM issuer. Subclasses choose the database, where the key
 * encryption key starts ({@link #initialKek()}) and what they add (ACME, an import, restarts).
 * <p>
 * Every test works with the generation that issues when it runs (a rollover may have run before it), so that the
 * methods run in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class HsmEndToEnd {

    static final String PIN_ENV = "CERTWRIGHT_HSM_PIN";
    static final String ROOT = "hsm-root";
    static final String ISSUING = "hsm-issuing";
    static final String PROFILE = "hsm-server";
    /** Re-wrapping in small steps, and the jobs of a new generation (OCSP responder, CRL) within seconds. */
    static final List<String> TIMINGS = List.of("--certwright.ca.refresh-interval=PT1S", "--certwright.ocsp.presign-interval=PT2S",
            "--certwright.crl.publish-delay=PT3S", "--certwright.kek.rewrap-batch-size=2", "--certwright.kek.rewrap-interval=PT2S");
    static final Duration STARTUP = Duration.ofMinutes(4);

    final String passphrase = "hsm-it-" + java.util.UUID.randomUUID();
    Path work;
    Openssl openssl;
    SoftHsm.Token token;
    TestDatabase database;
    CertwrightProcess app;
    String admin;
    X509Certificate root;
    Path caConfig;
    /** Where new KEKs are made, as the ca-config file says now. */
    String kek;
    /** Issuers added to the configuration after the first start (an import), kept when the file is written again. */
    final StringBuilder addedIssuers = new StringBuilder();
    final StringBuilder addedProfiles = new StringBuilder();

    abstract TestDatabase database();

    /** {@code keystore} or {@code token}: where the first start makes the key-encryption key. */
    abstract String initialKek();

    /** Arguments a subclass adds (ACME ports, the DNS resolver). */
    CertwrightProcess.Options withPeers(CertwrightProcess.Options options) throws Exception {
        return options;
    }

    @BeforeAll
    void start() throws Exception {
        SoftHsm.requireTools(); // skipped without SoftHSM2 and pkcs11-tool, failed on CI
        work = Files.createTempDirectory("certwright-hsm-");
        openssl = new Openssl(work);
        token = SoftHsm.newToken(Files.createDirectories(work.resolve("softhsm")));
        database = database();
        kek = initialKek();
        caConfig = work.resolve("ca-config.yml");
        writeConfig(token.label());
        app = CertwrightProcess.start(options(token.pin()));
        admin = app.adminToken();
        root = Openssl.parse(new String(app.plain("GET", "/ca/" + ROOT + ".pem", null, null).body(), StandardCharsets.US_ASCII));
        app.trust(root);
        openssl.write("root.pem", Openssl.pem(root));
    }

    /** Starts the node again (after a stop), trusting the same root. */
    void restart() throws Exception {
        app = CertwrightProcess.start(options(token.pin()));
        app.trust(root);
    }

    @AfterAll
    void stop() {
        if (work == null) {
            return; // skipped before anything was made (no SoftHSM2 here, and not on CI)
        }
        try {
            if (app != null) {
                String log = app.log();
                assertThat(log).as("no PIN in the log").doesNotContain(token.pin()).doesNotContain(token.soPin());
                assertThat(log).doesNotContain(passphrase).doesNotContain("PRIVATE KEY");
                if (admin != null) {
                    assertThat(log).doesNotContain(admin);
                }
            }
        } finally {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    // --- the tests every database runs ---

    @Test
    void theHierarchyIsGeneratedInTheTokenAsSensitiveKeysThatWereNeverExtractable() {
        JsonNode rootIssuer = issuer(ROOT);
        assertThat(rootIssuer.get("keyLocation").asString()).isEqualTo("pkcs11");
        assertThat(rootIssuer.get("state").asString()).isIn("ACTIVE", "RETIRING");
        assertThat(issuer(ISSUING).get("keyLocation").asString()).isEqualTo("pkcs11");

        Pkcs11Objects objects = objects();
        for (String name : List.of(ROOT, ISSUING)) {
            Map<String, String> key = objects.privateKey(name);
            // PKCS#11 v2.40 §4.9: CKA_SENSITIVE, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE and CKA_LOCAL; CKA_SIGN only.
            assertThat(key.get("Access")).as(name).isEqualTo(Pkcs11Objects.GENERATED_ACCESS);
            assertThat(key.get("Usage")).as(name).isEqualTo("sign");
        }
        // The token's certificate objects are the real certificates, not the placeholders the keys were made with.
        assertThat(objects.certificate(ROOT).get("subject")).isEqualTo("DN: CN=Certwright HSM Test Root CA, O=Certwright Test");
        assertThat(objects.certificate(ISSUING).get("subject")).isEqualTo("DN: CN=Certwright HSM Test Issuing CA, O=Certwright Test");
        assertThat(objects.toString()).doesNotContain("Certwright key placeholder");
        // Only issuer keys are in the token: the OCSP responders' and the managed certificates' keys stay in software.
        long tokenIssuers = 0;
        for (JsonNode issuer : app.get("/api/v1/issuers", admin).json()) {
            tokenIssuers += "pkcs11".equals(issuer.get("keyLocation").asString()) ? 1 : 0;
        }
        assertThat(objects.count("Private Key Object")).isEqualTo(tokenIssuers);
    }

    @Test
    void certificatesIssuedOverRestAreSignedInTheTokenAndVerifyWithOpenssl() {
        Issued leaf = issue("rest-leaf", PROFILE);
        assertThat(leaf.issuer()).startsWith(ISSUING);
        assertThat(verify(leaf).output()).contains(leaf.file() + ": OK");
        // The HTTPS listener's own certificate comes from the token issuer too.
        assertThat(app.servedLeaf().getIssuerX500Principal().getName()).contains("Certwright HSM Test Issuing CA");
    }

    @Test
    void theTokenIssuersCrlAndOcspAnswersVerifyWithOpenssl() throws Exception {
        Issued good = issue("ocsp-good", PROFILE);
        Issued revoked = issue("ocsp-revoked", PROFILE);
        Response revocation = app.postJson("/api/v1/certificates/" + revoked.serial() + "/revoke?issuer=" + revoked.issuer(), admin,
                Map.of("reason", "keyCompromise"));
        assertThat(revocation.status()).as(revocation.toString()).isEqualTo(200);

        assertCrlLists(revoked.issuer(), new BigInteger(revoked.serial(), 16));
        // openssl checks the response's signature (the delegated responder's software key) and the responder's
        // certificate, which the token issuer signed (RFC 6960 §4.2.2.2).
        awaitOcsp(revoked, ": revoked");
        awaitOcsp(good, ": good");
    }

    @Test
    void anIntermediateRolledOverHasItsNewKeyInTheToken() {
        JsonNode current = currentGeneration(ISSUING);
        Response rolled = app.postJson("/api/v1/issuers/" + ISSUING + "/rollover", admin, Map.of());
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        JsonNode successor = rolled.json();
        String name = successor.get("name").asString();
        assertThat(name).isEqualTo(ISSUING + "-g" + (current.get("generation").asInt() + 1));
        assertThat(successor.get("keyLocation").asString()).isEqualTo("pkcs11");
        assertThat(successor.get("state").asString()).isEqualTo("ACTIVE");

        Pkcs11Objects objects = objects();
        assertThat(objects.privateKey(name).get("Access")).isEqualTo(Pkcs11Objects.GENERATED_ACCESS);
        assertThat(objects.certificate(name).get("subject")).isEqualTo("DN: CN=Certwright HSM Test Issuing CA, O=Certwright Test");
        assertThat(objects.hasPrivateKey(current.get("name").asString())).as("the predecessor's key stays: it still signs its CRL").isTrue();
        Issued after = issue("after-rollover", PROFILE);
        assertThat(after.issuer()).isEqualTo(name);
        assertThat(verify(after).output()).contains(after.file() + ": OK");
        assertThat(audit("ca.issuer.rolled-over", name)).hasSize(1);
    }

    // --- what the tests share ---

    record Issued(String serial, String issuer, Path file, Path issuerFile, X509Certificate certificate) {
    }

    CertwrightProcess.Options options(String pin) throws Exception {
        CertwrightProcess.Options options = new CertwrightProcess.Options(work.resolve("data"), database).env("SOFTHSM2_CONF", token.conf().toString())
                .env(PIN_ENV, pin).env("CERTWRIGHT_CA_PASSPHRASE", passphrase).arg("--certwright.ca-config=" + caConfig).startupLimit(STARTUP);
        TIMINGS.forEach(options::arg);
        return withPeers(options);
    }

    /** ca-config with the token named by this label, the issuers and profiles of this class, and what tests added. */
    void writeConfig(String label) throws Exception {
        Files.writeString(caConfig, """
                keyStore:
                  type: pkcs11
                  library: %s
                  tokenLabel: %s
                  pinEnv: %s
                  kek: %s
                issuers:
                  %s:
                    subject: "CN=Certwright HSM Test Root CA,O=Certwright Test"
                    keyAlgorithm: EC-P384
                    validity: P3650D
                    pathLength: 1
                  %s:
                    parent: %s
                    subject: "CN=Certwright HSM Test Issuing CA,O=Certwright Test"
                    keyAlgorithm: EC-P256
                    validity: P1825D
                    pathLength: 0
                %sprofiles:
                  %s:
                    issuer: %s
                    extendedKeyUsages: [serverAuth]
                    minValidity: PT1H
                    maxValidity: P90D
                    defaultValidity: P90D
                    acme: true
                  tls-server:
                    issuer: %s
                    extendedKeyUsages: [serverAuth]
                    maxValidity: P90D
                %spolicy:
                  dnsNames: [localhost, "*.test"]
                  ipRanges: ["127.0.0.0/8", "::1/128"]
                  keyAlgorithms: [EC-P256, EC-P384, RSA-2048, RSA-3072]
                """.formatted(SoftHsm.LIBRARY, label, PIN_ENV, kek, ROOT, ISSUING, ROOT, addedIssuers, PROFILE, ISSUING, ISSUING, addedProfiles));
    }

    Pkcs11Objects objects() {
        return Pkcs11Objects.of(token.pkcs11Tool("--list-objects"));
    }

    JsonNode issuer(String name) {
        Response response = app.get("/api/v1/issuers/" + name, admin);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    /** The configured issuer's generation that issues now. */
    JsonNode currentGeneration(String logicalName) {
        for (JsonNode issuer : app.get("/api/v1/issuers", admin).json()) {
            if (issuer.get("issuer").asString().equals(logicalName) && issuer.get("state").asString().equals("ACTIVE")) {
                return issuer;
            }
        }
        throw new AssertionError("no ACTIVE generation of " + logicalName);
    }

    Issued issue(String label, String profile) {
        Response response = app.postJson("/api/v1/certificates", admin, Map.of("csr", openssl.csr("/CN=" + label + ".test",
                "subjectAltName=DNS:" + label + ".test"), "profile", profile, "owner", "team-hsm"));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        String pem = response.json().get("certificatePem").asString();
        String issuer = response.json().get("issuer").asString();
        Binary issuerPem = app.plain("GET", "/ca/" + issuer + ".pem", null, null);
        assertThat(issuerPem.status()).isEqualTo(200);
        return new Issued(response.json().get("serial").asString(), issuer, openssl.write(label + ".pem", pem),
                openssl.write(issuer + ".pem", issuerPem.body()), Openssl.parse(pem));
    }

    /** openssl verify of a leaf against the root, with its issuer's certificate as the only intermediate on offer. */
    Commands.Result verify(Issued leaf) {
        return openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", leaf.issuerFile().toString(),
                leaf.file().toString());
    }

    void awaitOcsp(Issued leaf, String verdict) {
        await("openssl ocsp saying " + verdict).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            String out = openssl.run("ocsp", "-issuer", leaf.issuerFile().toString(), "-cert", leaf.file().toString(), "-url",
                    "http://127.0.0.1:" + app.httpPort() + "/ocsp", "-CAfile", "root.pem", "-verify_other", leaf.issuerFile().toString(),
                    "-timeout", "10").output();
            return out.contains("Response verify OK") && out.contains(leaf.file() + verdict);
        });
    }

    /** The generation's CRL lists the serial, and openssl verifies its signature with that generation's certificate. */
    void assertCrlLists(String generation, BigInteger serial) throws Exception {
        X509CRL crl = await(generation + "'s CRL listing " + serial.toString(16)).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    Binary response = app.plain("GET", "/crl/" + generation + ".crl", null, null);
                    return response.status() == 200
                            ? (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(response.body()))
                            : null;
                }, c -> c != null && c.getRevokedCertificate(serial) != null);
        Path file = openssl.write(generation + ".crl", crl.getEncoded());
        assertThat(openssl.run("crl", "-inform", "DER", "-in", file.toString(), "-CAfile", generation + ".pem", "-noout", "-verify").output())
                .contains("verify OK");
    }

    List<JsonNode> audit(String action, String subject) {
        List<JsonNode> entries = new ArrayList<>();
        app.get("/api/v1/audit-log?action=" + action + "&subjectId=" + subject, admin).json().forEach(entries::add);
        return entries;
    }

    /**
     * What the database holds of the CA's keys: the keystore row, opened with the CA passphrase as the JDK's PKCS#12
     * reads it, holds {@code kek-1} and nothing else (no private key: every issuer is in the token; no token KEK), and
     * every issuer row says its key is in the token.
     */
    void assertNoIssuerKeyInTheDatabase(Connection connection) throws Exception {
        byte[] row;
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT keystore FROM ca_keystore WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            row = rs.getBytes(1);
        }
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        keystore.load(new ByteArrayInputStream(row), passphrase.toCharArray());
        Map<String, String> entries = new LinkedHashMap<>();
        for (String alias : Collections.list(keystore.aliases())) {
            entries.put(alias, keystore.entryInstanceOf(alias, KeyStore.PrivateKeyEntry.class) ? "private key"
                    : keystore.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class) ? "secret key" : "certificate");
        }
        // kek-1 alone: the issuer keys are in the token, and so is any KEK made with keyStore.kek: token.
        assertThat(entries).as("the CA keystore's entries").isEqualTo(Map.of("kek-1", "secret key"));
        try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT name, key_location FROM ca_issuer")) {
            while (rs.next()) {
                assertThat(rs.getString(2)).as(rs.getString(1)).isEqualTo("PKCS11");
            }
        }
    }

    /** The KEK each stored key (managed, OCSP responder, SSH identity) names, by KEK: what a rotation moves. */
    static Map<String, Long> storedKeysByKek(Connection connection) throws Exception {
        Map<String, Long> byKek = new LinkedHashMap<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT kek_id, COUNT(*) FROM certificate_key GROUP BY kek_id ORDER BY kek_id")) {
            while (rs.next()) {
                byKek.put(rs.getString(1), rs.getLong(2));
            }
        }
        return byKek;
    }

    JsonNode kekStatus() {
        Response status = app.get("/api/v1/kek", admin);
        assertThat(status.status()).as(status.toString()).isEqualTo(200);
        return status.json();
    }

    /** The KEK entry of GET /api/v1/kek with this id. */
    JsonNode kekEntry(String id) {
        for (JsonNode entry : kekStatus().get("keks")) {
            if (entry.get("id").asString().equals(id)) {
                return entry;
            }
        }
        throw new AssertionError("GET /api/v1/kek lists no " + id + ": " + kekStatus());
    }

    JsonNode awaitRotationCompleted(String kekId) {
        JsonNode[] last = new JsonNode[1];
        await("the rotation to " + kekId + " completed").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> {
                    last[0] = kekStatus();
                    return last[0].get("currentKekId").asString().equals(kekId) && last[0].get("state").asString().equals("COMPLETED");
                });
        return last[0];
    }

    /** Managed certificates with keys the server holds (P-256) under the token issuer, a service token, and each bundle. */
    ServiceBundles slots(String prefix, int count) throws Exception {
        return ServiceBundles.create(() -> app, admin, prefix, count, PROFILE, "team-hsm", List.of("EC-P256"));
    }
}
