package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.TestDatabase;

/** The foundation end to end on a real PostgreSQL, plus what only a shared database shows: nodes sharing one CA. */
class PostgresIssuanceIT extends IssuanceEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Test
    void theDatabaseHoldsAnEncryptedKeystoreWrappedKeysAndNoPendingRows() throws Exception {
        // A managed certificate of this test's own, with an RSA key the server generates and wraps.
        String name = "keys-" + unique();
        var created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", name, "profile", "tls-server",
                "dnsNames", List.of(name + ".internal"), "keyAlgorithm", "RSA-2048", "owner", "team-a"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        try (Connection db = database.connect(); Statement s = db.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT keystore FROM ca_keystore")) {
                assertThat(rs.next()).isTrue();
                byte[] keystore = rs.getBytes(1);
                assertThat(keystore.length).isGreaterThan(1000);
                assertThat(new String(keystore, java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("PRIVATE KEY");
            }
            try (PreparedStatement keys = db.prepareStatement("SELECT k.kek_id, k.wrapped_key FROM certificate_key k "
                    + "JOIN certificate c ON c.id = k.certificate_id WHERE c.managed_name = ?")) {
                keys.setString(1, name);
                ResultSet rs = keys.executeQuery();
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("kek-1");
                byte[] wrapped = rs.getBytes(2);
                assertThat(wrapped[0]).as("format version").isEqualTo((byte) 1);
                // A PKCS#8 RSA key starts 30 82 .. .. 02 01 00 30 0d 06 09 2a 86 48 86 f7 0d 01 01 01; none of it is visible.
                assertThat(java.util.HexFormat.of().formatHex(wrapped)).doesNotContain("2a864886f70d010101");
            }
            // Properties of any state: no request leaves a PENDING row behind (the one that
            // pendingRowsAbandonedByAStoppedNodeAreMarkedFailedAtStartup plants is FAILED by the restart it makes), and
            // every certificate issued, by whichever test, has its audit entry.
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM certificate WHERE status = 'PENDING'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_log a JOIN certificate c ON a.subject_id = c.serial "
                    + "WHERE a.action = 'certificate.issued' AND c.status = 'ISSUED' AND c.source <> 'CA'")) {
                rs.next();
                long audited = rs.getLong(1);
                try (ResultSet all = db.createStatement().executeQuery("SELECT COUNT(*) FROM certificate WHERE status = 'ISSUED' AND source IN ('ISSUED', 'ACME')")) {
                    all.next();
                    assertThat(audited).as("every issued certificate has its audit entry").isEqualTo(all.getLong(1));
                }
            }
        }
    }

    @Test
    void aSecondNodeOnTheSameDatabaseUsesTheSameCa(@TempDir Path secondData) throws Exception {
        String passphrase = app.readSecret("ca/passphrase");
        try (CertwrightProcess second = CertwrightProcess.start(new CertwrightProcess.Options(secondData, database)
                .env("CERTWRIGHT_CA_PASSPHRASE", passphrase))) {
            assertThat(second.root().getEncoded()).isEqualTo(app.root().getEncoded());
            assertThat(second.get("/api/v1/issuers", admin).body()).isEqualTo(app.get("/api/v1/issuers", admin).body());
            assertThat(secondData.resolve("admin-token")).as("the admin token already existed").doesNotExist();
            assertThat(secondData.resolve("ca/passphrase")).doesNotExist();
            // Issued on one node, found on the other; both serve the same server certificate.
            var issued = second.postJson("/api/v1/certificates", admin, Map.of("csr", opensslCsr("/CN=node2.test", null, ec()),
                    "profile", "tls-server", "owner", "node2"));
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
            assertThat(app.get("/api/v1/certificates/" + issued.json().get("serial").asString(), admin).status()).isEqualTo(200);
            assertThat(second.servedLeaf()).isEqualTo(app.servedLeaf());
            try (Connection db = database.connect(); Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ca_keystore")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(1);
            }
        }
    }

    @Test
    void aNodeWithoutTheCaPassphraseRefusesToStartAndSaysWhy(@TempDir Path thirdData) {
        try (CertwrightProcess third = CertwrightProcess.start(new CertwrightProcess.Options(thirdData, database).noWait())) {
            assertThat(third.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(third.log()).contains("APPLICATION FAILED TO START").contains("give this node the CA passphrase");
        }
    }

    @Test
    void aWrongCaPassphraseIsRefusedWithoutCreatingAnotherCa(@TempDir Path fourthData) throws Exception {
        try (CertwrightProcess fourth = CertwrightProcess.start(new CertwrightProcess.Options(fourthData, database)
                .env("CERTWRIGHT_CA_PASSPHRASE", "not the passphrase at all").noWait())) {
            assertThat(fourth.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(fourth.log()).contains("passphrase (CERTWRIGHT_CA_PASSPHRASE) is wrong");
        }
        try (Connection db = database.connect(); Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM ca_keystore")) {
            rs.next();
            assertThat(rs.getLong(1)).isEqualTo(1);
        }
    }

    @Test
    void pendingRowsAbandonedByAStoppedNodeAreMarkedFailedAtStartup() throws Exception {
        // The shared server is restarted on the same data directory and database (as aRestartKeepsTheCaTheInventoryAndTheTokens
        // does): the tests after this one find everything as before, and the planted row FAILED, never PENDING.
        app.close();
        try (Connection db = database.connect(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, owner, created_at, updated_at) "
                        + "VALUES ('7fabcdef0123456789abcdef01234567', 'CN=x', 'dev-issuing', 'PENDING', 'ISSUED', 'crash-test', now() - interval '1 hour', now())")) {
            insert.executeUpdate();
        }
        app = CertwrightProcess.start(new CertwrightProcess.Options(dataDir, database));
        var row = app.get("/api/v1/certificates/7fabcdef0123456789abcdef01234567", admin).json();
        assertThat(row.get("status").asString()).isEqualTo("FAILED");
        assertThat(row.get("failureReason").asString()).contains("did not complete");
        assertThat(app.log()).contains("abandoned PENDING");
    }
}
