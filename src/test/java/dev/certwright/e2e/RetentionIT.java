package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestCaConfig;
import dev.certwright.support.TestDatabase;

/**
 * Retention on H2 and PostgreSQL side by side: once a certificate has been expired for {@code keep-expired}, its key,
 * DER and chain are gone, the inventory row and the audit history stay, and a managed slot's current instance is kept.
 */
class RetentionIT {

    @Test
    void expiredCertificatesLoseTheirPayloadButKeepTheirRecordAndAudit(@TempDir Path dir) throws Exception {
        TestDatabase postgres = TestDatabase.postgres();
        CertwrightProcess h2 = null;
        CertwrightProcess pg = null;
        try {
            // Ten-second certificates (a ca-config copy whose short-lived profile admits them), purged three seconds after
            // they expire: the job's work is the same as with a year, only the wait is short.
            String caConfig = TestCaConfig.shortLivedDownTo(dir, Duration.ofSeconds(10));
            h2 = CertwrightProcess.start(options(dir.resolve("h2"), TestDatabase.h2()).arg(caConfig));
            pg = CertwrightProcess.start(options(dir.resolve("pg"), postgres).arg(caConfig));
            Fixture onH2 = Fixture.make(h2, new Openssl(dir.resolve("h2")));
            Fixture onPg = Fixture.make(pg, new Openssl(dir.resolve("pg")));
            for (Fixture f : List.of(onH2, onPg)) {
                f.awaitPurged(Duration.ofSeconds(90));
            }
            for (Fixture f : List.of(onH2, onPg)) {
                f.assertRetention();
            }
            try (Connection c = postgres.connect()) {
                assertThat(payload(c, onPg.loose)).as("unmanaged, expired").isEqualTo("purged, no der, no key");
                assertThat(payload(c, onPg.replaced)).as("a managed slot's replaced instance").isEqualTo("purged, no der, no key");
                assertThat(payload(c, onPg.current)).as("a managed slot's current instance").isEqualTo("kept, der, key");
            }
        } finally {
            if (h2 != null) {
                h2.close();
            }
            CertwrightProcess.stopAll(pg, postgres, dir);
        }
    }

    static CertwrightProcess.Options options(Path data, TestDatabase database) {
        return new CertwrightProcess.Options(data, database).arg("--certwright.retention.keep-expired=PT3S")
                .arg("--certwright.retention.interval=PT2S").arg("--certwright.renewal.scan-interval=PT1H");
    }

    static String payload(Connection c, String serial) throws Exception {
        try (PreparedStatement s = c.prepareStatement("SELECT c.purged_at IS NOT NULL, c.der IS NOT NULL, "
                + "(SELECT COUNT(*) FROM certificate_key k WHERE k.certificate_id = c.id) FROM certificate c WHERE c.serial = ?")) {
            s.setString(1, serial);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return (rs.getBoolean(1) ? "purged" : "kept") + ", " + (rs.getBoolean(2) ? "der" : "no der") + ", "
                        + (rs.getLong(3) > 0 ? "key" : "no key");
            }
        }
    }

    /** On one node: an unmanaged ten-second certificate, and a ten-second managed slot renewed once by hand. */
    record Fixture(CertwrightProcess app, String admin, String loose, String replaced, String current) {

        static Fixture make(CertwrightProcess app, Openssl openssl) {
            String admin = app.adminToken();
            String csr = openssl.csr("/CN=old.test", "subjectAltName=DNS:old.test");
            Response issued = app.postJson("/api/v1/certificates", admin, Map.of("csr", csr, "profile", "short-lived", "owner", "team-old",
                    "validity", "PT10S"));
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
            Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "brief", "profile", "short-lived",
                    "dnsNames", List.of("brief.test"), "owner", "team-brief", "validity", "PT10S"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            Response renewed = app.send("POST", "/api/v1/managed-certificates/brief/renew", admin, null, null);
            assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
            return new Fixture(app, admin, issued.json().get("serial").asString(), created.json().get("serial").asString(),
                    renewed.json().get("serial").asString());
        }

        void awaitPurged(Duration limit) {
            org.awaitility.Awaitility.await("both certificates purged").atMost(limit).pollInterval(Duration.ofSeconds(1))
                    .until(() -> app.get("/api/v1/audit-log?action=certificate.purged", admin).body(), body -> body.contains(loose) && body.contains(replaced));
        }

        void assertRetention() {
            // The record stays and reads EXPIRED; its PEM is gone, with a problem document that says so.
            Response json = app.get("/api/v1/certificates/" + loose, admin);
            assertThat(json.status()).isEqualTo(200);
            assertThat(json.json().get("status").asString()).isEqualTo("EXPIRED");
            Response pem = app.get("/api/v1/certificates/" + loose, admin, "Accept", "application/pem-certificate-chain");
            assertThat(pem.status()).isEqualTo(404);
            assertThat(pem.contentType()).startsWith("application/problem+json");
            assertThat(pem.body()).contains("purged by retention");
            // The slot's current instance is kept, with its key; the replaced one is purged; the audit chain still verifies.
            String purged = app.get("/api/v1/audit-log?action=certificate.purged", admin).body();
            assertThat(purged).doesNotContain(current);
            assertThat(app.get("/api/v1/certificates/" + current, admin, "Accept", "application/pem-certificate-chain").status()).isEqualTo(200);
            assertThat(app.get("/api/v1/certificates/" + replaced, admin).json().get("successorSerial").asString()).isEqualTo(current);
            assertThat(app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + loose, admin).body())
                    .contains("certificate.issued").contains("certificate.purged");
            Response verify = app.get("/api/v1/audit-log/verify", admin);
            assertThat(verify.status()).as(verify.toString()).isEqualTo(200);
            assertThat(verify.body()).contains("true");
        }
    }
}
