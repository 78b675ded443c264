package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Json;
import dev.certwright.support.RawHttp;
import dev.certwright.support.TestDatabase;
import dev.certwright.x509.Pem;
import dev.certwright.x509.TestCertificates;

/**
 * {@code POST /api/v1/imports} against the packaged server (decision 74), on H2 ({@link H2BulkImportIT}) and PostgreSQL
 * ({@link PostgresBulkImportIT}): PEM, tar.gz and PKCS#12 uploads in, reports out; chains linked to issuers already in
 * the inventory; a managed slot adopting an imported key pair; uploads past the configured 1 MB bound refused with 413.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BulkImportEndToEnd {

    /** The upload bound this server runs with, small so the test can pass it. */
    static final int MAX_UPLOAD = 1024 * 1024;

    static final String BOUNDARY = "certwright-import-boundary";

    Path work;
    TestDatabase database;
    CertwrightProcess app;
    String admin;
    RawHttp https;

    abstract TestDatabase database();

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-import-");
        database = database();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database)
                .arg("--certwright.import.max-upload-bytes=" + MAX_UPLOAD));
        admin = app.adminToken();
        https = new RawHttp("localhost", app.httpsPort(), CertwrightProcess.trustingRoot(app.root()));
    }

    /** A multipart body with one binary file part and text fields (name, value pairs). */
    static byte[] multipart(String fileName, byte[] content, String... fields) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < fields.length; i += 2) {
            body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + fields[i] + "\"\r\n\r\n" + fields[i + 1] + "\r\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        body.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return body.toByteArray();
    }

    RawHttp.Reply upload(byte[] body) {
        return https.send("POST", "/api/v1/imports", List.of("Authorization", "Bearer " + admin, "Content-Type", "multipart/form-data; boundary=" + BOUNDARY,
                "Accept", "application/json"), body);
    }

    static X509Certificate root(KeyPair key, String name) {
        return TestCertificates.certificate(name, key.getPublic(), name, key.getPrivate(), true, null, BigInteger.valueOf(System.nanoTime()));
    }

    static X509Certificate leaf(KeyPair key, String name, String issuer, KeyPair issuerKey) {
        return TestCertificates.certificate(name, key.getPublic(), issuer, issuerKey.getPrivate(), false, null, BigInteger.valueOf(System.nanoTime()));
    }

    static byte[] tarGz(String entry, byte[] content) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            TarArchiveEntry e = new TarArchiveEntry(entry);
            e.setSize(content.length);
            tar.putArchiveEntry(e);
            tar.write(content);
            tar.closeArchiveEntry();
        }
        return out.toByteArray();
    }

    @Test
    void aTarGzLeafIsChainedToItsIssuerAlreadyInTheInventory() throws Exception {
        KeyPair rootKey = TestCertificates.ecKey();
        KeyPair leafKey = TestCertificates.ecKey();
        X509Certificate root = root(rootKey, "CN=Inventory Root " + System.nanoTime());
        X509Certificate leaf = leaf(leafKey, "CN=tar-leaf.example", root.getSubjectX500Principal().getName(), rootKey);

        var rootOnly = upload(multipart("root.der", root.getEncoded()));
        assertThat(rootOnly.status()).as(rootOnly.text()).isEqualTo(200);
        assertThat(Json.parse(rootOnly.text()).get("imported").asInt()).isEqualTo(1);

        var tar = upload(multipart("leaves.tar.gz", tarGz("certs/leaf.pem", Pem.encode(leaf).getBytes(StandardCharsets.US_ASCII)), "owner", "tar-team"));
        assertThat(tar.status()).as(tar.text()).isEqualTo(200);
        assertThat(Json.parse(tar.text()).get("imported").asInt()).isEqualTo(1);
        var found = app.get("/api/v1/certificates/" + leaf.getSerialNumber().toString(16), admin);
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        assertThat(Pem.decodeCertificates(found.json().get("chainPem").asString())).containsExactly(root);
    }

    @Test
    void aManagedSlotAdoptsTheImportedKeyPairWrappedUnderTheKek() throws Exception {
        var created = app.postJson("/api/v1/managed-certificates", admin, java.util.Map.of("name", "imported-slot", "profile", "tls-server",
                "dnsNames", List.of("imported-slot.test"), "owner", "import-team"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        KeyPair rootKey = TestCertificates.ecKey();
        KeyPair leafKey = TestCertificates.ecKey();
        X509Certificate root = root(rootKey, "CN=Slot Root " + System.nanoTime());
        X509Certificate leaf = leaf(leafKey, "CN=imported-slot.test", root.getSubjectX500Principal().getName(), rootKey);
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        p12.setKeyEntry("slot", leafKey.getPrivate(), "p12-secret".toCharArray(), new java.security.cert.Certificate[] {leaf, root});
        ByteArrayOutputStream store = new ByteArrayOutputStream();
        p12.store(store, "p12-secret".toCharArray());

        var noSlot = upload(multipart("slot.p12", store.toByteArray(), "password", "p12-secret", "manage", "true", "slot", "no-such-slot"));
        assertThat(noSlot.status()).as(noSlot.text()).isEqualTo(400);
        assertThat(noSlot.contentType()).startsWith("application/problem+json");
        var noKey = upload(multipart("chain.pem", Pem.encodeChain(List.of(leaf, root)).getBytes(StandardCharsets.US_ASCII), "manage", "true", "slot", "imported-slot"));
        assertThat(noKey.status()).as(noKey.text()).isEqualTo(400);

        var adopted = upload(multipart("slot.p12", store.toByteArray(), "password", "p12-secret", "manage", "true", "slot", "imported-slot"));
        assertThat(adopted.status()).as(adopted.text()).isEqualTo(200);
        assertThat(Json.parse(adopted.text()).get("slot").asString()).isEqualTo("imported-slot");
        assertThat(Json.parse(adopted.text()).get("keysIgnored").asInt()).isZero();
        assertThat(adopted.text()).doesNotContain("p12-secret").doesNotContain("PRIVATE");

        var slot = app.get("/api/v1/managed-certificates/imported-slot", admin);
        assertThat(slot.json().get("serial").asString()).isEqualTo(leaf.getSerialNumber().toString(16));
        // Renewal follows the adopted instance's dates (30 days: a third of them ahead of its end), not the 90-day
        // instance it replaced, which would have renewed after the adopted one expired.
        java.time.Instant renewAt = java.time.Instant.parse(slot.json().get("renewal").get("renewAt").asString());
        assertThat(renewAt).isBetween(leaf.getNotAfter().toInstant().minus(java.time.Duration.ofDays(12)), leaf.getNotAfter().toInstant());
        // The slot renews with the adopted key (rekey false would keep it): the stored key unwraps and signs again.
        var renewed = app.send("POST", "/api/v1/managed-certificates/imported-slot/renew", admin, "application/json", "{}");
        assertThat(renewed.status()).as(renewed.toString()).isBetween(200, 201);
        assertThat(app.log()).doesNotContain("p12-secret");
    }

    @Test
    void uploadsPastTheBoundsAre413ProblemsNeverServerErrors() throws Exception {
        byte[] big = new byte[MAX_UPLOAD + 10_000];
        java.util.Arrays.fill(big, (byte) 'A');
        var tooBig = upload(multipart("big.pem", big));
        assertThat(tooBig.status()).as(tooBig.text()).isEqualTo(413);
        assertThat(tooBig.contentType()).startsWith("application/problem+json");

        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(bomb)) {
            gzip.write(new byte[64 * 1024 * 1024]);
        }
        var bombed = upload(multipart("bomb.pem.gz", bomb.toByteArray()));
        assertThat(bombed.status()).as(bombed.text()).isEqualTo(413);
        assertThat(bombed.text()).contains("import-too-large");
    }

    @AfterAll
    void stop() throws Exception {
        // The server's log, kept for a failure's incident id (it goes with the work folder).
        Files.writeString(CertwrightProcess.PROJECT.resolve("target/" + getClass().getSimpleName() + "-server.log"), app.log());
        CertwrightProcess.stopAll(app, database, work);
    }

    static String textMultipart(String fileName, String content, String password) {
        StringBuilder body = new StringBuilder();
        if (fileName != null) {
            body.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"file\"; filename=\"").append(fileName)
                    .append("\"\r\nContent-Type: application/octet-stream\r\n\r\n").append(content).append("\r\n");
        }
        body.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"owner\"\r\n\r\nimport-team\r\n");
        if (password != null) {
            body.append("--").append(BOUNDARY).append("\r\nContent-Disposition: form-data; name=\"password\"\r\n\r\n").append(password).append("\r\n");
        }
        return body.append("--").append(BOUNDARY).append("--\r\n").toString();
    }

    CertwrightProcess.Response post(String token, String body) {
        return app.send("POST", "/api/v1/imports", token, "multipart/form-data; boundary=" + BOUNDARY, body);
    }

    @Test
    void aPemBundleIsImportedOnceAndThenAlreadyKnownWithItsKeyIgnored() {
        KeyPair rootKey = TestCertificates.ecKey();
        KeyPair leafKey = TestCertificates.ecKey();
        X509Certificate root = TestCertificates.certificate("CN=Import IT Root", rootKey.getPublic(), "CN=Import IT Root", rootKey.getPrivate(), true, null,
                BigInteger.valueOf(System.nanoTime()));
        X509Certificate leaf = TestCertificates.certificate("CN=import-it.example", leafKey.getPublic(), "CN=Import IT Root", rootKey.getPrivate(), false,
                null, BigInteger.valueOf(System.nanoTime()));
        String bundle = Pem.encodeChain(List.of(leaf, root)) + Pem.encode(Pem.PRIVATE_KEY, leafKey.getPrivate().getEncoded());

        var first = post(admin, textMultipart("bundle.pem", bundle, null));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().get("imported").asInt()).isEqualTo(2);
        assertThat(first.json().get("alreadyKnown").asInt()).isZero();
        assertThat(first.json().get("keysIgnored").asInt()).isEqualTo(1);
        assertThat(first.body()).doesNotContain("PRIVATE KEY");

        var again = post(admin, textMultipart("bundle.pem", bundle, null));
        assertThat(again.json().get("imported").asInt()).isZero();
        assertThat(again.json().get("alreadyKnown").asInt()).isEqualTo(2);

        var found = app.get("/api/v1/certificates/" + leaf.getSerialNumber().toString(16), admin);
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        assertThat(found.body()).contains("IMPORTED").contains("import-team");
        assertThat(app.log()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void hostileUploadsAreProblemsNeverServerErrors() {
        var missing = post(admin, textMultipart(null, null, null));
        assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().get("detail").asString()).contains("'file'");

        var garbage = post(admin, textMultipart("noise.bin", "just some text, no certificate", "hunter2"));
        assertThat(garbage.status()).as(garbage.toString()).isEqualTo(400);
        assertThat(garbage.contentType()).startsWith("application/problem+json");
        assertThat(garbage.json().get("detail").asString()).contains("noise.bin: not a certificate");
        assertThat(garbage.body()).doesNotContain("hunter2");

        var notMultipart = app.send("POST", "/api/v1/imports", admin, "application/json", "{}");
        assertThat(notMultipart.status()).as(notMultipart.toString()).isEqualTo(415);

        assertThat(post(null, textMultipart("bundle.pem", "x", null)).status()).isEqualTo(401);
        assertThat(app.log()).doesNotContain("hunter2");
    }
}
