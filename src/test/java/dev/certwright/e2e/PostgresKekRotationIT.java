package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * KEK rotation on PostgreSQL, where several nodes share the keystore row: besides the common tests, a second node
 * that opened the CA before the rotation wraps its next key under the new KEK and serves keys re-wrapped elsewhere.
 */
class PostgresKekRotationIT extends KekRotationEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    Connection connectWhileStopped(TestDatabase database, Path dataDir) throws SQLException {
        return database.connect();
    }

    @Override
    boolean reachableWhileRunning() {
        return true;
    }

    @Test
    void aSecondNodeLearnsTheNewKekBeforeItsNextWrapAndUnwrapsKeysMovedByTheFirst() throws Exception {
        awaitNoRotation();
        ServiceBundles slots = slots("shared", 3);
        try (CertwrightProcess second = CertwrightProcess.start(options(work.resolve("second-node")))) {
            // The second node opened the keystore before the rotation: it holds the old KEKs only.
            Response rotated = rotate(admin);
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
            String kek = rotated.json().get("currentKekId").asString();

            // Its next wrap checks the cluster's KEK first, in the storing transaction, and uses the new one.
            Response created = second.postJson("/api/v1/managed-certificates", admin, Map.of("name", "second-node-slot", "profile", "tls-server",
                    "dnsNames", List.of("second-node-slot.test"), "owner", "team-kek", "keyAlgorithm", "EC-P256"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            try (Connection c = database.connect()) {
                assertThat(kekOfSlot(c, "second-node-slot")).isEqualTo(kek);
            }
            JsonNode seenThere = second.get("/api/v1/kek", admin).json();
            assertThat(seenThere.get("currentKekId").asString()).isEqualTo(kek);

            awaitCompleted(kek);
            // Keys moved by whichever node ran the job unwrap on both nodes.
            for (Map.Entry<String, String> slot : slots.bundles.entrySet()) {
                Response there = second.get("/api/v1/managed-certificates/" + slot.getKey() + "/bundle", slots.token);
                assertThat(there.status()).as(there.toString()).isEqualTo(200);
                assertThat(there.body()).isEqualTo(slot.getValue());
            }
            slots.assertServedAsBefore();
            try (Connection c = database.connect()) {
                assertEveryRowNames(c, kek);
            }
            assertThat(keystoreAliases(java.nio.file.Files.readAllBytes(second.dataDir().resolve("ca/ca-keystore.p12"))))
                    .as("the second node's backup copy, rewritten when it loaded the new KEK").contains(kek);
            assertRotationAuditedOnceAtEachEnd(kek);
        }
    }
}
