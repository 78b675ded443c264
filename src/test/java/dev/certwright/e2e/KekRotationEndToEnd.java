package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * KEK rotation (decision 68) against the packaged server: managed certificates with server-held keys, the OCSP
 * responders' keys, the server's own certificate and the SSH identity are stored wrapped; {@code POST /api/v1/kek/rotate}
 * makes a new KEK, the kek-rewrap job moves every key to it one per batch (small batches and a pause, so that a rotation
 * lasts seconds), and afterwards every row names the new KEK, every service still gets its very key, matching its
 * certificate, and the audit log verifies online and offline with the checkpoint key from before. A second rotation
 * asked for meanwhile is a 409 problem; a node killed with SIGKILL in the middle finishes after its restart with
 * nothing lost. Subclasses choose the database; the PostgreSQL one adds a second node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KekRotationEndToEnd {

    /** One key per batch, a quarter second between batches: a rotation of 10 keys takes about 2.5 s. */
    static final List<String> SLOW_REWRAP = List.of("--certwright.kek.rewrap-batch-size=1", "--certwright.kek.rewrap-pause=PT0.25S",
            "--certwright.kek.rewrap-interval=PT2S", "--certwright.audit.checkpoint-interval=PT2S");
    /** A restart after SIGKILL waits for Quartz to give the dead node's blocked job back (cluster check-in, ~20 s). */
    static final Duration COMPLETION = Duration.ofMinutes(3);
    static final Duration STARTUP_LIMIT = Duration.ofMinutes(4);

    final String passphrase = "kek-it-" + java.util.UUID.randomUUID();
    Path work;
    TestDatabase database;
    CertwrightProcess app;
    String admin;
    String operator;

    abstract TestDatabase database();

    /** A connection while no node runs (H2 is held by the running node). */
    abstract Connection connectWhileStopped(TestDatabase database, Path dataDir) throws SQLException;

    /** Whether the test can read the database while a node runs (PostgreSQL; H2 is held by the node). */
    abstract boolean reachableWhileRunning();

    CertwrightProcess.Options options(Path dataDir) {
        CertwrightProcess.Options options = new CertwrightProcess.Options(dataDir, database).env("CERTWRIGHT_CA_PASSPHRASE", passphrase)
                .startupLimit(STARTUP_LIMIT);
        SLOW_REWRAP.forEach(options::arg);
        return options;
    }

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-kek-");
        database = database();
        app = CertwrightProcess.start(options(work.resolve("data")));
        admin = app.adminToken();
        Response token = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "kek-operator", "role", "OPERATOR"));
        assertThat(token.status()).as(token.toString()).isEqualTo(201);
        operator = token.json().get("token").asString();
    }

    /**
     * With the node stopped, on either database: the last rotation completed and every stored key names its KEK, and
     * the log holds neither the passphrase nor any KEK.
     */
    @AfterAll
    void stop() throws Exception {
        try {
            if (app != null) {
                app.close();
                assertThat(app.log()).as("no CA passphrase in the log").doesNotContain(passphrase);
                try (Connection c = connectWhileStopped(database, app.dataDir());
                        Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT kek_id, state FROM kek_rotation")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(2)).isEqualTo("COMPLETED");
                    assertEveryRowNames(c, rs.getString(1));
                    assertThat(kekOfSshIdentity(c)).isEqualTo(rs.getString(1));
                    assertNoKekInTheLog(c);
                }
            }
        } finally {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    @Test
    void everyStoredKeyMovesToTheNewKekAndEveryServiceStillGetsItsKey() throws Exception {
        awaitNoRotation();
        ServiceBundles slots = slots("rotated", 4);
        String sshKey = sshPublicKey();
        Path checkpointKey = checkpointKey("before-rotation");
        String before = status().get("currentKekId").asString();

        Response rotated = rotate(admin);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
        assertThat(rotated.headers().get("location")).containsExactly("/api/v1/kek");
        String kek = rotated.json().get("currentKekId").asString();
        assertThat(kek).isEqualTo("kek-" + (number(before) + 1));
        assertThat(rotated.json().get("state").asString()).isEqualTo("REWRAPPING");
        assertThat(rotated.json().get("keysLeft").asLong()).isPositive();
        assertThat(rotated.body()).as("no key material in the answer").doesNotContain("PRIVATE").doesNotContain(passphrase);

        // Asked again while the first re-wraps (one key every quarter second): refused, as a problem document.
        Response again = rotate(admin);
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(again.contentType()).startsWith("application/problem+json");
        assertThat(again.json().get("type").asString()).isEqualTo("urn:certwright:problem:kek-rotation-running");
        assertThat(again.json().get("detail").asString()).contains(kek);
        // ADMIN only.
        assertThat(app.get("/api/v1/kek", operator).status()).isEqualTo(403);
        assertThat(rotate(operator).status()).isEqualTo(403);

        // A key made during the rotation is wrapped under the new KEK at once (it is the current one on every node).
        ServiceBundles during = slots("rotated-during", 1);
        if (reachableWhileRunning()) {
            try (Connection c = database.connect()) {
                assertThat(kekOfSlot(c, "rotated-during-0")).isEqualTo(kek);
            }
        }

        JsonNode done = awaitCompleted(kek);
        assertThat(done.get("keysLeft").asLong()).isZero();
        assertThat(done.get("unreadable").asLong()).isZero();
        assertThat(done.get("rewrapped").asLong()).isPositive();
        Map<String, JsonNode> keks = keks(done);
        assertThat(keks.get(kek).get("current").asBoolean()).isTrue();
        assertThat(keks.get(kek).get("keys").asLong()).isEqualTo(keys(done));
        assertThat(keks.get(before).get("keys").asLong()).isZero();
        assertThat(keks).as("old KEKs stay in the keystore").containsKey("kek-1");
        assertThat(keks.get("kek-1").get("derivesSecrets").asBoolean()).isTrue();

        slots.assertServedAsBefore();
        during.assertServedAsBefore();
        assertThat(sshPublicKey()).isEqualTo(sshKey);
        if (reachableWhileRunning()) {
            try (Connection c = database.connect()) {
                assertEveryRowNames(c, kek);
                assertThat(kekOfSshIdentity(c)).isEqualTo(kek);
                assertKeystoreHolds(c, kek);
            }
        }
        assertThat(keystoreAliases(Files.readAllBytes(app.dataDir().resolve("ca/ca-keystore.p12")))).as("the node's backup copy").contains(kek);
        assertRotationAuditedOnceAtEachEnd(kek);
        assertAuditVerifies(checkpointKey);
    }

    @Test
    void aNodeKilledMidRotationFinishesItAfterTheRestartWithNothingLost() throws Exception {
        awaitNoRotation();
        ServiceBundles slots = slots("crashed", 8);
        String sshKey = sshPublicKey();
        Path checkpointKey = checkpointKey("before-crash");
        long keysBefore = keys(status());

        Response rotated = rotate(admin);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
        String kek = rotated.json().get("currentKekId").asString();
        Awaitility.await("part of the keys re-wrapped").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    JsonNode now = status();
                    return now.get("rewrapped").asLong() >= 2 && now.get("keysLeft").asLong() >= 4;
                });
        app.kill();

        // Mid-way, as the database holds it: some rows moved, others not yet, the rotation still re-wrapping.
        try (Connection c = connectWhileStopped(database, app.dataDir())) {
            Map<String, Long> byKek = rowsByKek(c);
            assertThat(byKek.getOrDefault(kek, 0L)).as("rows under %s at the kill: %s", kek, byKek).isPositive();
            assertThat(byKek.entrySet().stream().filter(e -> !e.getKey().equals(kek)).mapToLong(Map.Entry::getValue).sum())
                    .as("rows under older KEKs at the kill: %s", byKek).isPositive();
            assertThat(byKek.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(keysBefore);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT kek_id, state FROM kek_rotation")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo(kek);
                assertThat(rs.getString(2)).isEqualTo("REWRAPPING");
            }
            assertKeystoreHolds(c, kek);
            assertNoKekInTheLog(c);
        }

        app = CertwrightProcess.start(options(app.dataDir()));
        JsonNode done = awaitCompleted(kek);
        assertThat(done.get("keysLeft").asLong()).isZero();
        assertThat(done.get("unreadable").asLong()).isZero();
        assertThat(keys(done)).as("no key lost").isEqualTo(keysBefore);
        assertThat(keks(done).get(kek).get("keys").asLong()).isEqualTo(keysBefore);
        slots.assertServedAsBefore();
        assertThat(sshPublicKey()).as("the SSH identity unwraps after the restart").isEqualTo(sshKey);
        assertThat(app.servedLeaf()).as("the server's own key unwraps after the restart").isNotNull();
        assertRotationAuditedOnceAtEachEnd(kek);
        assertAuditVerifies(checkpointKey);
        if (reachableWhileRunning()) {
            try (Connection c = database.connect()) {
                assertEveryRowNames(c, kek);
                assertThat(kekOfSshIdentity(c)).isEqualTo(kek);
            }
        }
    }

    // ---- what the tests make and check

    /** Managed certificates with server-held keys (EC and Ed25519 in turn), a service token, and each bundle as first served. */
    ServiceBundles slots(String prefix, int count) throws Exception {
        return ServiceBundles.create(() -> app, admin, prefix, count, "tls-server", "team-kek", List.of("EC-P256", "Ed25519"));
    }

    /** A plain POST, without a body: the rotation takes no parameters. */
    Response rotate(String token) {
        return app.send("POST", "/api/v1/kek/rotate", token, null, null);
    }

    String sshPublicKey() {
        Response key = app.get("/api/v1/deploy/ssh-key", admin);
        assertThat(key.status()).as(key.toString()).isEqualTo(200);
        return key.body().trim();
    }

    JsonNode status() {
        Response status = app.get("/api/v1/kek", admin);
        assertThat(status.status()).as(status.toString()).isEqualTo(200);
        return status.json();
    }

    JsonNode awaitCompleted(String kek) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await("the rotation to " + kek + " completed").atMost(COMPLETION).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    last[0] = status();
                    return last[0].get("currentKekId").asString().equals(kek) && last[0].get("state").asString().equals("COMPLETED");
                });
        return last[0];
    }

    /** A test that failed may leave its rotation running; the next one waits for it rather than failing on its 409. */
    void awaitNoRotation() {
        Awaitility.await("no rotation re-wrapping").atMost(COMPLETION).pollInterval(Duration.ofMillis(500))
                .until(() -> !status().get("state").asString().equals("REWRAPPING"));
    }

    static Map<String, JsonNode> keks(JsonNode status) {
        Map<String, JsonNode> keks = new TreeMap<>();
        status.get("keks").forEach(k -> keks.put(k.get("id").asString(), k));
        return keks;
    }

    static long keys(JsonNode status) {
        long total = 0;
        for (JsonNode kek : status.get("keks")) {
            total += kek.get("keys").asLong();
        }
        return total;
    }

    static int number(String kekId) {
        return Integer.parseInt(kekId.substring("kek-".length()));
    }

    void assertRotationAuditedOnceAtEachEnd(String kek) {
        Response entries = app.get("/api/v1/audit-log?subjectType=kek&subjectId=" + kek, admin);
        assertThat(entries.status()).as(entries.toString()).isEqualTo(200);
        List<String> actions = new ArrayList<>();
        entries.json().forEach(e -> actions.add(e.get("action").asString()));
        assertThat(actions).as("one entry at the start, one at the end, none per key").containsExactlyInAnyOrder("kek.rotation-started",
                "kek.rotation-completed");
        for (JsonNode entry : entries.json()) {
            if (entry.get("action").asString().equals("kek.rotation-completed")) {
                assertThat(entry.get("details").asString()).contains("rewrapped=").contains("unreadable=0");
            } else {
                assertThat(entry.get("actor").asString()).isEqualTo("token:admin");
            }
        }
    }

    /** The checkpoint public key as published now, to verify an export made after the rotation with it. */
    Path checkpointKey(String name) throws Exception {
        Response verify = app.get("/api/v1/audit-log/verify", admin);
        assertThat(verify.json().get("valid").asBoolean()).as(verify.toString()).isTrue();
        return Files.writeString(work.resolve(name + ".jwk"), verify.json().get("checkpointKey").toString());
    }

    /**
     * Online, and offline with the checkpoint key from before the rotation: the chains and checkpoints are keyed from
     * the first KEK, which a rotation leaves as it was (decision 68). A checkpoint signed after the rotation is waited for.
     */
    void assertAuditVerifies(Path keyBefore) throws Exception {
        Awaitility.await("a checkpoint after the rotation").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    JsonNode verify = app.get("/api/v1/audit-log/verify", admin).json();
                    return verify.get("valid").asBoolean() && !verify.get("latestCheckpoint").isNull()
                            && java.time.Instant.parse(verify.get("latestCheckpoint").asString()).isAfter(lastRotationEntry());
                });
        JsonNode verify = app.get("/api/v1/audit-log/verify", admin).json();
        assertThat(verify.get("valid").asBoolean()).as(verify.toString()).isTrue();
        assertThat(verify.get("checkpointKey").toString()).as("the checkpoint key did not change").isEqualTo(Files.readString(keyBefore));
        Path export = Files.write(work.resolve("audit-" + System.nanoTime() + ".jsonl"),
                app.get("/api/v1/audit-log?format=jsonl", admin).body().lines().toList());
        Commands.Result offline = Commands.run(work, CertwrightProcess.PROJECT.resolve("scripts/audit-verify.sh").toString(), export.toString(),
                keyBefore.toString());
        assertThat(offline.exitCode()).as(offline.output()).isZero();
        assertThat(offline.output()).contains("VALID");
    }

    java.time.Instant lastRotationEntry() {
        JsonNode entries = app.get("/api/v1/audit-log?action=kek.rotation-completed&size=1", admin).json();
        return java.time.Instant.parse(entries.get(0).get("occurredAt").asString());
    }

    // ---- the database and the keystore, read directly

    static Map<String, Long> rowsByKek(Connection c) throws SQLException {
        Map<String, Long> counts = new TreeMap<>();
        for (String table : List.of("certificate_key", "ssh_identity")) {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT kek_id, COUNT(*) FROM " + table + " GROUP BY kek_id")) {
                while (rs.next()) {
                    counts.merge(rs.getString(1), rs.getLong(2), Long::sum);
                }
            }
        }
        return counts;
    }

    static void assertEveryRowNames(Connection c, String kek) throws SQLException {
        Map<String, Long> byKek = rowsByKek(c);
        assertThat(byKek.keySet()).as("KEKs the stored keys name: %s", byKek).containsExactly(kek);
    }

    static String kekOfSshIdentity(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT kek_id FROM ssh_identity")) {
            assertThat(rs.next()).as("the SSH identity is stored").isTrue();
            return rs.getString(1);
        }
    }

    static String kekOfSlot(Connection c, String slot) throws SQLException {
        try (var s = c.prepareStatement("SELECT k.kek_id FROM certificate_key k JOIN certificate c ON c.id = k.certificate_id WHERE c.managed_name = ?")) {
            s.setString(1, slot);
            try (ResultSet rs = s.executeQuery()) {
                assertThat(rs.next()).as("a stored key of " + slot).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** The stored keystore holds the issuers, the first KEK and the new one. */
    void assertKeystoreHolds(Connection c, String kek) throws Exception {
        List<String> aliases = keystoreAliases(storedKeystore(c));
        assertThat(aliases).contains("kek-1", kek, "dev-root", "dev-issuing");
    }

    static byte[] storedKeystore(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT keystore FROM ca_keystore WHERE id = 1")) {
            assertThat(rs.next()).isTrue();
            return rs.getBytes(1);
        }
    }

    List<String> keystoreAliases(byte[] pkcs12) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(pkcs12), passphrase.toCharArray());
        return Collections.list(store.aliases());
    }

    /** No KEK of the stored keystore appears in the server's log, in hex or base64. */
    void assertNoKekInTheLog(Connection c) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(storedKeystore(c)), passphrase.toCharArray());
        String log = app.log();
        for (String alias : Collections.list(store.aliases())) {
            if (store.entryInstanceOf(alias, KeyStore.SecretKeyEntry.class)) {
                byte[] kek = ((KeyStore.SecretKeyEntry) store.getEntry(alias, new KeyStore.PasswordProtection(passphrase.toCharArray())))
                        .getSecretKey().getEncoded();
                assertThat(log).as(alias).doesNotContainIgnoringCase(HexFormat.of().formatHex(kek))
                        .doesNotContain(Base64.getEncoder().encodeToString(kek)).doesNotContain(Base64.getUrlEncoder().withoutPadding().encodeToString(kek));
            }
        }
    }
}
