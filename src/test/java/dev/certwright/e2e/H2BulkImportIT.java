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

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.TestDatabase;
import dev.certwright.x509.Pem;
import dev.certwright.x509.TestCertificates;

/** {@code POST /api/v1/imports} against the packaged server on H2 (decision 74): a PEM bundle in, a report out. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class H2BulkImportIT {

    static final String BOUNDARY = "certwright-import-boundary";

    Path work;
    TestDatabase database;
    CertwrightProcess app;
    String admin;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-import-");
        database = TestDatabase.h2();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database));
        admin = app.adminToken();
    }

    @AfterAll
    void stop() {
        CertwrightProcess.stopAll(app, database, work);
    }

    static String multipart(String fileName, String content, String password) {
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

        var first = post(admin, multipart("bundle.pem", bundle, null));
        assertThat(first.status()).as(first.toString()).isEqualTo(200);
        assertThat(first.json().get("imported").asInt()).isEqualTo(2);
        assertThat(first.json().get("alreadyKnown").asInt()).isZero();
        assertThat(first.json().get("keysIgnored").asInt()).isEqualTo(1);
        assertThat(first.body()).doesNotContain("PRIVATE KEY");

        var again = post(admin, multipart("bundle.pem", bundle, null));
        assertThat(again.json().get("imported").asInt()).isZero();
        assertThat(again.json().get("alreadyKnown").asInt()).isEqualTo(2);

        var found = app.get("/api/v1/certificates/" + leaf.getSerialNumber().toString(16), admin);
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        assertThat(found.body()).contains("IMPORTED").contains("import-team");
        assertThat(app.log()).doesNotContain("PRIVATE KEY");
    }

    @Test
    void hostileUploadsAreProblemsNeverServerErrors() {
        var missing = post(admin, multipart(null, null, null));
        assertThat(missing.status()).as(missing.toString()).isEqualTo(400);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(missing.json().get("detail").asString()).contains("'file'");

        var garbage = post(admin, multipart("noise.bin", "just some text, no certificate", "hunter2"));
        assertThat(garbage.status()).as(garbage.toString()).isEqualTo(200);
        assertThat(garbage.json().get("rejected").get(0).get("item").asString()).isEqualTo("noise.bin");
        assertThat(garbage.body()).doesNotContain("hunter2");

        var notMultipart = app.send("POST", "/api/v1/imports", admin, "application/json", "{}");
        assertThat(notMultipart.status()).as(notMultipart.toString()).isEqualTo(415);

        assertThat(post(null, multipart("bundle.pem", "x", null)).status()).isEqualTo(401);
        assertThat(app.log()).doesNotContain("hunter2");
    }
}
