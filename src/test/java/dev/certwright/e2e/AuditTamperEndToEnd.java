package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.Json;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The audit log cannot be rewritten (issue 19 §3), against the packaged application: state changes are audited (API
 * tokens, the configuration loaded), the untouched log verifies, the JSON-lines export verifies offline with
 * scripts/audit-verify.sh and fails it once edited; and the offline rewrite of the issue (server stopped, two entries
 * deleted, the chain recomputed with plain SHA-256, or under a guessed HMAC key, the head moved) makes
 * {@code GET /api/v1/audit-log/verify} answer invalid, naming the first bad entry. Subclasses choose the database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AuditTamperEndToEnd {

    Path work;
    Path dataDir;
    TestDatabase database;
    CertwrightProcess app;
    String admin;
    /** A VIEWER token, for the export's role check: made before the tests, so that their counts do not depend on their order. */
    String viewer;
    /**
     * Starts whose audit entries the database keeps: one per start (config.loaded). The rewrite test restarts on copies
     * it throws away, then once more on the untouched copy, which keeps that start's entry.
     */
    int keptStarts = 1;

    abstract TestDatabase database();

    /** A JDBC connection to the database while the application is stopped. */
    abstract Connection connectStopped() throws SQLException;

    /** Copies the database aside (application stopped), and back. */
    abstract void backupDatabase(Path to) throws Exception;

    abstract void restoreDatabase(Path from) throws Exception;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-audit-");
        database = database();
        dataDir = work.resolve("data");
        app = CertwrightProcess.start(new CertwrightProcess.Options(dataDir, database).arg("--certwright.audit.checkpoint-interval=PT2S"));
        admin = app.adminToken();
        // Some state changes, enough for every chain to hold a few entries.
        for (int i = 0; i < 40; i++) {
            Response created = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "script-" + i, "role", "VIEWER"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }
        for (int i = 0; i < 10; i++) {
            assertThat(app.send("DELETE", "/api/v1/api-tokens/script-" + i, admin, null, null).status()).isEqualTo(204);
        }
        Response viewerToken = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "viewer-export", "role", "VIEWER"));
        assertThat(viewerToken.status()).as(viewerToken.toString()).isEqualTo(201);
        viewer = viewerToken.json().get("token").asString();
        // EAB keys were audited before issue 19 too: the tamper test has a chain to cut on the old code as well.
        for (int i = 0; i < 40; i++) {
            Response created = app.postJson("/api/v1/acme/eab-keys", admin, Map.of("owner", "team-" + i));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
        }
    }

    @AfterAll
    void stop() {
        CertwrightProcess.stopAll(app, database, work);
    }

    @Test
    void tokenChangesAndTheLoadedConfigurationAreAudited() throws Exception {
        JsonNode created = app.get("/api/v1/audit-log?action=api-token.created&size=500", admin).json();
        assertThat(created).hasSize(41);
        List<String> subjects = new ArrayList<>();
        created.forEach(entry -> subjects.add(entry.get("subjectId").asString()));
        assertThat(subjects).filteredOn(id -> id.startsWith("script-")).hasSize(40).doesNotHaveDuplicates();
        assertThat(subjects).contains("viewer-export");
        assertThat(created.get(0).get("actor").asString()).isEqualTo("token:admin");
        assertThat(created.toString()).doesNotContain(admin);
        JsonNode revoked = app.get("/api/v1/audit-log?subjectType=api-token&subjectId=script-3", admin).json();
        assertThat(revoked).extracting(e -> e.get("action").asString()).containsExactly("api-token.revoked", "api-token.created");
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"))));
        JsonNode loaded = app.get("/api/v1/audit-log?action=config.loaded", admin).json();
        assertThat(loaded).as("one entry per start").hasSize(keptStarts);
        for (JsonNode entry : loaded) {
            assertThat(entry.get("details").asString()).contains("sha256=" + digest);
            assertThat(entry.get("scheme").asInt()).isEqualTo(2);
        }
    }

    @Test
    void theUntouchedLogVerifiesAgainstItsKeyAndItsCheckpoints() throws Exception {
        // The clustered job publishes every 2 s here: wait for one that covers the token changes.
        long lastId = app.get("/api/v1/audit-log?size=1", admin).json().get(0).get("id").asLong();
        JsonNode check = awaitCheckpointCovering(lastId);
        assertThat(check.get("valid").asBoolean()).as(check.toString()).isTrue();
        assertThat(check.get("checkpoints").asInt()).isPositive();
        assertThat(check.get("checkpointKey").get("kty").asString()).isEqualTo("EC");
        assertThat(check.get("checkpointKey").has("d")).as("only the public key is shown").isFalse();
        assertThat(dataDir.resolve("audit/checkpoints.jsonl")).isRegularFile();
    }

    @Test
    void theJsonLinesExportStreamsEveryEntryAndVerifiesOffline() throws Exception {
        Response export = app.get("/api/v1/audit-log?format=jsonl", admin);
        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        assertThat(export.contentType()).startsWith("application/x-ndjson");
        List<String> lines = export.body().lines().toList();
        assertThat(Json.parse(lines.get(0)).get("type").asString()).isEqualTo("export");
        long entries = lines.stream().filter(l -> l.contains("\"type\":\"entry\"")).count();
        long total = app.get("/api/v1/audit-log?size=500", admin).json().size();
        assertThat(entries).isEqualTo(total);
        assertThat(lines.getLast()).contains("\"type\":\"checkpoint\"");
        JsonNode first = Json.parse(lines.get(1));
        for (String field : List.of("id", "chain", "scheme", "occurredAt", "actor", "action", "subjectType", "subjectId", "details",
                "prevHash", "hash", "mac")) {
            assertThat(first.has(field)).as(field).isTrue();
        }
        Path file = Files.write(work.resolve("audit.jsonl"), lines);
        Path key = Files.writeString(work.resolve("checkpoint-key.jwk"), app.get("/api/v1/audit-log/verify", admin).json().get("checkpointKey").toString());
        Commands.Result ok = verifyOffline(file, key);
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).contains("VALID: " + entries + " entries");

        // An entry edited in the copy: the chain no longer holds.
        List<String> edited = new ArrayList<>(lines);
        int victim = 5;
        edited.set(victim, edited.get(victim).replace("\"actor\":\"token:admin\"", "\"actor\":\"token:someone-else\"")
                .replace("\"actor\":\"system\"", "\"actor\":\"token:someone-else\""));
        assertThat(edited.get(victim)).isNotEqualTo(lines.get(victim));
        Commands.Result bad = verifyOffline(Files.write(work.resolve("edited.jsonl"), edited), key);
        assertThat(bad.exitCode()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("INVALID");

        // Two entries of one chain cut out of the copy, and the links recomputed would need the hashes the checkpoints
        // signed: without the lines the checkpoints name, the export fails too.
        List<String> cut = new ArrayList<>(lines);
        cut.removeIf(l -> l.contains("\"type\":\"entry\"") && Json.parse(l).get("id").asLong() == lastCheckpointedId(lines));
        Commands.Result cutResult = verifyOffline(Files.write(work.resolve("cut.jsonl"), cut), key);
        assertThat(cutResult.exitCode()).as(cutResult.output()).isEqualTo(1);

        // A key that is not the CA's: no checkpoint verifies.
        Path otherKey = Files.writeString(work.resolve("other.jwk"),
                new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256).generate().toPublicJWK().toJSONString());
        assertThat(verifyOffline(file, otherKey).exitCode()).isEqualTo(1);

        // since: an id, or an instant.
        long middle = Json.parse(lines.get(10)).get("id").asLong();
        List<String> after = app.get("/api/v1/audit-log?format=jsonl&since=" + middle, admin).body().lines()
                .filter(l -> l.contains("\"type\":\"entry\"")).toList();
        assertThat(after).isNotEmpty().allMatch(l -> Json.parse(l).get("id").asLong() > middle);
        Commands.Result partial = verifyOffline(Files.write(work.resolve("since.jsonl"),
                app.get("/api/v1/audit-log?format=jsonl&since=" + middle, admin).body().lines().toList()), key);
        assertThat(partial.exitCode()).as(partial.output()).isZero();
        Response future = app.get("/api/v1/audit-log?format=jsonl&since=2999-01-01T00:00:00Z", admin);
        assertThat(future.status()).isEqualTo(200);
        assertThat(future.body().lines().filter(l -> l.contains("\"type\":\"entry\""))).isEmpty();
        for (String query : List.of("format=jsonl&since=yesterday", "format=xml", "format=jsonl&since=-3", "since=5",
                "format=jsonl&actor=system")) {
            Response refused = app.get("/api/v1/audit-log?" + query, admin);
            assertThat(refused.status()).as(query + " " + refused).isEqualTo(400);
            assertThat(refused.contentType()).as(query).startsWith("application/problem+json");
        }
        // Two handlers on one path (the export by its params): the OpenAPI description is still served.
        Response docs = app.get("/v3/api-docs", null);
        assertThat(docs.status()).isEqualTo(200);
        assertThat(docs.body()).contains("/api/v1/audit-log");
        // The export keeps the audit log's role: OPERATOR and above.
        assertThat(app.get("/api/v1/audit-log?format=jsonl", viewer).status()).isEqualTo(403);
    }

    /**
     * Both rewrites of the issue, each on the same copy of the untouched database, then the untouched copy back. Three
     * restarts in all, because a start takes most of a minute on a loaded machine.
     */
    @Test
    void anOfflineRewriteWithPlainSha256OrUnderAGuessedKeyIsFoundAndTheFirstBadEntryNamed() throws Exception {
        app.close();
        Path backup = Files.createDirectories(work.resolve("backup"));
        backupDatabase(backup);
        Path checkpoints = dataDir.resolve("audit/checkpoints.jsonl");
        if (Files.exists(checkpoints)) {
            Files.copy(checkpoints, backup.resolve("checkpoints.jsonl"));
        }

        // 1. Plain SHA-256, as the issue reproduced it.
        rewriteAndExpectInvalid(null);
        app.close();
        restore(backup, checkpoints);
        // 2. The keyed scheme's hashes, with MACs under a guessed key.
        byte[] guess = new byte[32];
        new SecureRandom().nextBytes(guess);
        rewriteAndExpectInvalid(guess);
        app.close();
        restore(backup, checkpoints);
        app = CertwrightProcess.start(new CertwrightProcess.Options(dataDir, database).arg("--certwright.audit.checkpoint-interval=PT2S"));
        keptStarts++;
        JsonNode check = app.get("/api/v1/audit-log/verify", admin).json();
        assertThat(check.get("valid").asBoolean()).as("the untouched copy, restored: " + check).isTrue();
    }

    // --- the attack ---

    private void restore(Path backup, Path checkpoints) throws Exception {
        restoreDatabase(backup);
        if (Files.exists(backup.resolve("checkpoints.jsonl"))) {
            Files.copy(backup.resolve("checkpoints.jsonl"), checkpoints, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private void rewriteAndExpectInvalid(byte[] guessedKey) throws Exception {
        Rewrite rewrite;
        try (Connection c = connectStopped()) {
            rewrite = rewrite(c, guessedKey);
        }
        app = CertwrightProcess.start(new CertwrightProcess.Options(dataDir, database).arg("--certwright.audit.checkpoint-interval=PT2S"));
        JsonNode check = app.get("/api/v1/audit-log/verify", admin).json();
        String what = (guessedKey == null ? "plain SHA-256: " : "guessed key: ") + check;
        assertThat(check.get("valid").asBoolean()).as(what).isFalse();
        // The first bad entry: the first survivor after the gap (its MAC was not, or wrongly, recomputed), or one of the
        // deleted entries when a signed checkpoint names it.
        assertThat(check.get("firstBrokenEntry").asLong()).as(what).isBetween(rewrite.firstDeleted(), rewrite.firstSurvivor());
        assertThat(check.get("problem").asString()).as(what).contains("entry " + check.get("firstBrokenEntry").asLong());
    }

    record Rewrite(long firstDeleted, long firstSurvivor) {
    }

    private record Row(long id, Instant at, String actor, String action, String type, String subject, String details, String hash) {
    }

    /**
     * What the issue reproduced: in the chain with the most entries, delete the second and third, recompute every later
     * entry's link and hash (plain SHA-256 as before decision 45; or the keyed scheme's hash with its MAC under a guessed
     * key), and move the head. Works on the schema before decision 45 too, so that this test fails on the old code.
     */
    static Rewrite rewrite(Connection c, byte[] guessedKey) throws Exception {
        boolean keyedSchema = hasColumn(c, "audit_log", "scheme");
        int chain;
        try (ResultSet rs = c.createStatement().executeQuery(
                "SELECT chain FROM audit_log GROUP BY chain ORDER BY COUNT(*) DESC, chain LIMIT 1")) {
            rs.next();
            chain = rs.getInt(1);
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT * FROM audit_log WHERE chain = ? ORDER BY id")) {
            s.setInt(1, chain);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.add(new Row(rs.getLong("id"), rs.getObject("occurred_at", OffsetDateTime.class).toInstant(), rs.getString("actor"),
                            rs.getString("action"), rs.getString("subject_type"), rs.getString("subject_id"), rs.getString("details"),
                            rs.getString("hash").trim()));
                }
            }
        }
        assertThat(rows.size()).as("entries in chain " + chain).isGreaterThanOrEqualTo(5);
        c.setAutoCommit(false);
        try (PreparedStatement delete = c.prepareStatement("DELETE FROM audit_log WHERE id = ?")) {
            for (Row victim : rows.subList(1, 3)) {
                delete.setLong(1, victim.id());
                assertThat(delete.executeUpdate()).isEqualTo(1);
            }
        }
        String prev = rows.get(0).hash();
        for (Row row : rows.subList(3, rows.size())) {
            String hash;
            String sql;
            if (guessedKey == null || !keyedSchema) {
                // The old scheme's hash, as the reproduction recomputed it.
                hash = sha256(prev, row.at().toString(), row.actor(), row.action(), row.type(), row.subject(), row.details());
                sql = keyedSchema ? "UPDATE audit_log SET prev_hash = ?, hash = ?, scheme = 1, mac = NULL WHERE id = ?"
                        : "UPDATE audit_log SET prev_hash = ?, hash = ? WHERE id = ?";
            } else {
                hash = sha256("certwright-audit-v2", Integer.toString(chain), prev, row.at().toString(), row.actor(), row.action(), row.type(),
                        row.subject(), row.details());
                sql = "UPDATE audit_log SET prev_hash = ?, hash = ?, mac = '" + hmac(guessedKey, "certwright-audit-entry", Integer.toString(chain), hash)
                        + "' WHERE id = ?";
            }
            try (PreparedStatement update = c.prepareStatement(sql)) {
                update.setString(1, prev);
                update.setString(2, hash);
                update.setLong(3, row.id());
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            prev = hash;
        }
        try (PreparedStatement head = c.prepareStatement(keyedSchema
                ? "UPDATE audit_head SET last_hash = ?, entries = entries - 2, mac = ? WHERE chain = ?"
                : "UPDATE audit_head SET last_hash = ? WHERE chain = ?")) {
            head.setString(1, prev);
            if (keyedSchema) {
                long keyedAfter;
                try (ResultSet rs = c.createStatement().executeQuery("SELECT keyed_after, last_id, entries FROM audit_head WHERE chain = " + chain)) {
                    rs.next();
                    keyedAfter = rs.getLong(1);
                    byte[] key = guessedKey != null ? guessedKey : new byte[32];
                    head.setString(2, hmac(key, "certwright-audit-head", Integer.toString(chain), Long.toString(rs.getLong(2)), prev,
                            Long.toString(rs.getLong(3) - 2), Long.toString(keyedAfter)));
                }
                head.setInt(3, chain);
            } else {
                head.setInt(2, chain);
            }
            assertThat(head.executeUpdate()).isEqualTo(1);
        }
        c.commit();
        return new Rewrite(rows.get(1).id(), rows.get(3).id());
    }

    private static boolean hasColumn(Connection c, String table, String column) throws SQLException {
        try (ResultSet rs = c.getMetaData().getColumns(null, null, table, column)) {
            return rs.next();
        }
    }

    static String sha256(String... fields) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        for (String field : fields) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            digest.update(bytes);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static String hmac(byte[] key, String... fields) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        for (String field : fields) {
            byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
            mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
            mac.update(bytes);
        }
        return HexFormat.of().formatHex(mac.doFinal());
    }

    // --- helpers ---

    private JsonNode awaitCheckpointCovering(long lastId) throws Exception {
        Path file = dataDir.resolve("audit/checkpoints.jsonl");
        org.awaitility.Awaitility.await("a checkpoint covering entry " + lastId).atMost(java.time.Duration.ofSeconds(30))
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> Files.exists(file) ? Files.readAllLines(file) : List.<String>of(), lines -> !lines.isEmpty() && lastCheckpointedId(lines) >= lastId);
        return app.get("/api/v1/audit-log/verify", admin).json();
    }

    /** The highest entry id any checkpoint line names (read from the JWS payload, which is base64url JSON). */
    static long lastCheckpointedId(List<String> lines) {
        long max = 0;
        for (String line : lines) {
            if (!line.contains("\"type\":\"checkpoint\"")) {
                continue;
            }
            String jws = Json.parse(line).get("jws").asString();
            JsonNode payload = Json.parse(new String(java.util.Base64.getUrlDecoder().decode(jws.split("\\.")[1]), StandardCharsets.UTF_8));
            for (JsonNode head : payload.get("heads")) {
                max = Math.max(max, head.get("lastId").asLong());
            }
        }
        return max;
    }

    private Commands.Result verifyOffline(Path export, Path key) {
        return Commands.run(work, CertwrightProcess.PROJECT.resolve("scripts/audit-verify.sh").toString(), export.toString(), key.toString());
    }
}
