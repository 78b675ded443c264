package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Pkcs11Objects;
import dev.certwright.support.TestDatabase;

/**
 * Issuer keys in SoftHSM2 on PostgreSQL (the core of {@link HsmEndToEnd}), with {@code keyStore.kek: token} from the
 * first start: the CA is created with {@code kek-2} in the token, so every key Certwright stores wrapped (managed
 * certificates, OCSP responders, the server's own key) is wrapped in the token from the start; the database is read
 * while the node runs, and a KEK rotation makes {@code kek-3} in the token and moves every key to it.
 */
class PostgresHsmIT extends HsmEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    String initialKek() {
        return "token";
    }

    @Test
    void theDatabaseHoldsNoPrivateKeyOfAnIssuerInTheToken() throws Exception {
        try (Connection connection = database.connect()) {
            assertNoIssuerKeyInTheDatabase(connection);
        }
    }

    @Test
    void managedKeysAreWrappedUnderAKekInTheTokenAndServedByTheBundleEndpoint() throws Exception {
        ServiceBundles slots = slots("token-kek", 2);
        String current = kekStatus().get("currentKekId").asString();
        assertThat(kekEntry(current).get("location").asString()).isEqualTo("token");
        assertThat(kekEntry("kek-1").get("location").asString()).isEqualTo("keystore");
        assertThat(kekEntry("kek-1").get("derivesSecrets").asBoolean()).isTrue();
        Map<String, String> object = objects().secretKey("certwright:" + current);
        assertThat(object.get("Access")).isEqualTo(Pkcs11Objects.GENERATED_ACCESS);
        assertThat(object.get("Usage")).isEqualTo("encrypt, decrypt");
        try (Connection connection = database.connect()) {
            assertThat(storedKeysByKek(connection)).as("every stored key wrapped in the token").containsOnlyKeys(current);
        }

        Response rotated = app.send("POST", "/api/v1/kek/rotate", admin, null, null);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
        String next = rotated.json().get("currentKekId").asString();
        assertThat(next).isEqualTo("kek-" + (Integer.parseInt(current.substring(4)) + 1));
        awaitRotationCompleted(next);

        assertThat(kekEntry(next).get("location").asString()).isEqualTo("token");
        assertThat(objects().secretKey("certwright:" + next).get("Access")).isEqualTo(Pkcs11Objects.GENERATED_ACCESS);
        try (Connection connection = database.connect()) {
            assertThat(storedKeysByKek(connection)).containsOnlyKeys(next);
            assertNoIssuerKeyInTheDatabase(connection);
        }
        slots.assertServedAsBefore();
        // The derived secrets (the audit chain key among them) stay on kek-1: the log still verifies.
        assertThat(app.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
        assertThat(audit("kek.rotation-started", next).get(0).get("details").asString()).contains("location=token");
    }
}
