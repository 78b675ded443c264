package dev.certwright.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.platform.Timestamps;
import dev.certwright.support.MigratedH2;

/**
 * The audit log's keyed hash chains: concurrent appends stay verifiable; any edit, cut, downgrade or rewrite (with the
 * SHA-256 chain recomputed, or under a guessed key) is detected and the first bad entry named; legacy entries from
 * before the keying are verified as before; signed checkpoints catch a rollback the MACs cannot.
 */
class AuditLogTest {

    static final class FixedKeys implements AuditKeys {
        final byte[] chain = new byte[32];
        final byte[] seed = new byte[64];
        volatile boolean open = true;

        FixedKeys() {
            SecureRandom random = new SecureRandom();
            random.nextBytes(chain);
            random.nextBytes(seed);
        }

        @Override
        public Optional<byte[]> chainKey() {
            return open ? Optional.of(chain.clone()) : Optional.empty();
        }

        @Override
        public Optional<byte[]> checkpointSeed() {
            return open ? Optional.of(seed.clone()) : Optional.empty();
        }
    }

    @TempDir
    Path dataDir;
    JdbcClient jdbc;
    TransactionTemplate transactions;
    FixedKeys keys;
    AuditCheckpoints checkpoints;
    AuditLog audit;

    @BeforeEach
    void migrate() {
        DataSource dataSource = MigratedH2.create("audit");
        jdbc = JdbcClient.create(dataSource);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        keys = new FixedKeys();
        checkpoints = new AuditCheckpoints(jdbc, keys, Clock.systemUTC(), dataDir.resolve("audit/checkpoints.jsonl"));
        audit = new AuditLog(jdbc, Clock.systemUTC(), keys, checkpoints);
    }

    @Test
    void concurrentTransactionsSpreadOverChainsThatAllVerify() throws Exception {
        audit.keyChains();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                done.add(pool.submit(() -> transactions.executeWithoutResult(tx -> {
                    audit.append("tester", "thing.done", "thing", "t" + n, "first of two");
                    audit.append("tester", "thing.checked", "thing", "t" + n, "second, same chain");
                })));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_log").query(Long.class).single()).isEqualTo(800);
        assertThat(jdbc.sql("SELECT COUNT(DISTINCT chain) FROM audit_log").query(Long.class).single()).isGreaterThan(1);
        // A transaction keeps to one chain.
        assertThat(jdbc.sql("SELECT COUNT(*) FROM (SELECT subject_id FROM audit_log GROUP BY subject_id HAVING COUNT(DISTINCT chain) > 1) x")
                .query(Long.class).single()).isZero();
        assertThat(audit.verify()).extracting(AuditLog.Verification::valid).as("%s", audit.verify()).isEqualTo(true);
    }

    @Test
    void anEditedEntryIsFound() {
        appendSome(20);
        long victim = jdbc.sql("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 7").query(Long.class).single();
        jdbc.sql("UPDATE audit_log SET details = 'rewritten' WHERE id = :id").param("id", victim).update();
        assertThat(audit.verify().firstBrokenEntry()).isEqualTo(victim);
    }

    @Test
    void aRemovedEntryIsFound() {
        appendSome(20);
        long victim = jdbc.sql("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 3").query(Long.class).single();
        int chain = jdbc.sql("SELECT chain FROM audit_log WHERE id = :id").param("id", victim).query(Integer.class).single();
        boolean last = jdbc.sql("SELECT MAX(id) FROM audit_log WHERE chain = :c").param("c", chain).query(Long.class).single() == victim;
        jdbc.sql("DELETE FROM audit_log WHERE id = :id").param("id", victim).update();
        assertThat(audit.verify().valid()).isFalse();
        if (last) {
            assertThat(audit.verify().firstBrokenEntry()).isZero();
        }
    }

    @Test
    void anEntryCutOffTheEndOfItsChainIsFound() {
        appendSome(5);
        long lastId = jdbc.sql("SELECT MAX(id) FROM audit_log").query(Long.class).single();
        jdbc.sql("DELETE FROM audit_log WHERE id = :id").param("id", lastId).update();
        assertThat(audit.verify().firstBrokenEntry()).isZero();
    }

    @Test
    void deletingEntriesAndRecomputingTheChainWithPlainSha256IsFound() {
        appendOneChain(10);
        List<Long> ids = ids();
        deleteAndRecompute(ids.get(3), ids.get(4), null);
        AuditLog.Verification result = audit.verify();
        assertThat(result.valid()).isFalse();
        // The first survivor after the gap: its link was recomputed, but not its MAC.
        assertThat(result.firstBrokenEntry()).as(result.problem()).isEqualTo(ids.get(5));
    }

    @Test
    void deletingEntriesAndRecomputingTheChainUnderAGuessedKeyIsFound() {
        appendOneChain(10);
        List<Long> ids = ids();
        byte[] guess = new byte[32];
        deleteAndRecompute(ids.get(3), ids.get(4), guess);
        AuditLog.Verification result = audit.verify();
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBrokenEntry()).as(result.problem()).isEqualTo(ids.get(5));
    }

    @Test
    void downgradingKeyedEntriesToTheLegacySchemeIsFound() {
        appendOneChain(6);
        List<Long> ids = ids();
        // Rewrite the whole chain as legacy entries, and mark the chain as never keyed.
        int chain = jdbc.sql("SELECT chain FROM audit_log WHERE id = :id").param("id", ids.get(0)).query(Integer.class).single();
        String prev = ChainHashes.GENESIS;
        for (AuditLog.Entry e : entries()) {
            String hash = ChainHashes.legacy(prev, e.occurredAt(), e.actor(), e.action(), e.subjectType(), e.subjectId(), e.details());
            jdbc.sql("UPDATE audit_log SET scheme = 1, mac = NULL, prev_hash = :p, hash = :h WHERE id = :id").param("p", prev).param("h", hash)
                    .param("id", e.id()).update();
            prev = hash;
        }
        jdbc.sql("UPDATE audit_head SET last_hash = :h, keyed_after = NULL, mac = NULL WHERE chain = :c").param("h", prev).param("c", chain).update();
        assertThat(audit.verify().valid()).isFalse();
    }

    @Test
    void legacyEntriesAreVerifiedAsBeforeAndProtectedOnceTheChainIsKeyed() {
        // An installation from before the keying: plain SHA-256 entries written as the old code wrote them.
        List<Long> legacy = writeLegacy(0, 5);
        writeLegacy(1, 3);
        assertThat(audit.keyChains()).isEqualTo(AuditLog.CHAINS);
        assertThat(audit.keyChains()).isZero();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'audit.keyed'").query(Long.class).single()).isEqualTo(1);
        appendSome(10);
        AuditLog.Verification result = audit.verify();
        assertThat(result.valid()).as(result.problem()).isTrue();
        // A legacy entry rewritten with its legacy chain recomputed: the first keyed entry after it no longer links.
        jdbc.sql("DELETE FROM audit_log WHERE id = :id").param("id", legacy.get(2)).update();
        String prev = jdbc.sql("SELECT hash FROM audit_log WHERE id = :id").param("id", legacy.get(1)).query(String.class).single().trim();
        for (long id : legacy.subList(3, 5)) {
            AuditLog.Entry e = entry(id);
            String hash = ChainHashes.legacy(prev, e.occurredAt(), e.actor(), e.action(), e.subjectType(), e.subjectId(), e.details());
            jdbc.sql("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE id = :id").param("p", prev).param("h", hash).param("id", id).update();
            prev = hash;
        }
        assertThat(audit.verify().valid()).isFalse();
    }

    @Test
    void anAppendBeforeTheCaIsOpenFails() {
        audit.keyChains();
        keys.open = false;
        assertThatThrownBy(() -> transactions.executeWithoutResult(tx -> audit.append("tester", "x", "thing", "t", "")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("before the CA was opened");
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_log").query(Long.class).single()).isZero();
    }

    @Test
    void aCheckpointCatchesARollbackTheMacsCannot() {
        appendOneChain(5);
        assertThat(checkpoints.publish()).isPresent();
        assertThat(checkpoints.publish()).as("unchanged heads are not published again").isEmpty();
        assertThat(audit.verify().valid()).isTrue();
        assertThat(audit.verify().checkpoints()).isEqualTo(1);
        // An older copy of the database, as whoever holds the key would leave it (the heads' MACs are right): only the
        // checkpoint outside the database knows that entries are gone.
        List<Long> ids = ids();
        long checkpointed = ids.get(4);
        jdbc.sql("DELETE FROM audit_log WHERE id >= :id").param("id", ids.get(3)).update();
        AuditLog.Entry last = entry(ids.get(2));
        long keyedAfter = jdbc.sql("SELECT keyed_after FROM audit_head WHERE chain = :c").param("c", last.chain()).query(Long.class).single();
        jdbc.sql("UPDATE audit_head SET last_hash = :h, last_id = :id, entries = 3, mac = :m WHERE chain = :c").param("h", last.hash())
                .param("id", last.id()).param("m", ChainHashes.headMac(keys.chain, last.chain(), last.id(), last.hash(), 3, keyedAfter))
                .param("c", last.chain()).update();
        AuditLog.Verification result = audit.verify();
        assertThat(result.valid()).isFalse();
        assertThat(result.firstBrokenEntry()).isEqualTo(checkpointed);
        assertThat(result.problem()).contains("signed checkpoint");
    }

    @Test
    void aForgedCheckpointFailsVerify() throws Exception {
        appendOneChain(3);
        checkpoints.publish();
        // Signed by another key: whoever wrote it does not hold the CA's.
        FixedKeys other = new FixedKeys();
        System.arraycopy(keys.chain, 0, other.chain, 0, 32);
        Path forged = dataDir.resolve("other.jsonl");
        new AuditCheckpoints(jdbc, other, Clock.systemUTC(), forged).publish();
        Files.writeString(checkpoints.sink(), Files.readString(forged), java.nio.file.StandardOpenOption.APPEND);
        AuditLog.Verification result = audit.verify();
        assertThat(result.valid()).isFalse();
        assertThat(result.problem()).contains("checkpoint lines [2]");
    }

    @Test
    void theDerivedCheckpointKeyIsTheSameForTheSameSeed() {
        assertThat(CheckpointKey.derive(keys.seed).toPublicJWK()).isEqualTo(CheckpointKey.derive(keys.seed.clone()).toPublicJWK());
        assertThat(CheckpointKey.derive(keys.seed).toPublicJWK()).isNotEqualTo(CheckpointKey.derive(new FixedKeys().seed).toPublicJWK());
    }

    @Test
    void anExportVerifiesOfflineUntilALineIsEditedOrAnAnchoredEntryCut() throws Exception {
        appendSome(30);
        AuditExport export = new AuditExport(audit, checkpoints, Clock.systemUTC());
        export.anchor();
        java.io.StringWriter out = new java.io.StringWriter();
        export.write(out, 0, null);
        List<String> lines = out.toString().lines().toList();
        com.nimbusds.jose.jwk.ECKey pinned = CheckpointKey.derive(keys.seed).toPublicJWK();
        AuditExportVerifier.Result ok = AuditExportVerifier.verify(lines, pinned);
        assertThat(ok.valid()).as(ok.problem()).isTrue();
        assertThat(ok.entries()).isEqualTo(30);
        assertThat(ok.unanchored()).isZero();

        List<String> edited = new java.util.ArrayList<>(lines);
        edited.set(3, edited.get(3).replace("\"actor\":\"tester\"", "\"actor\":\"someone\""));
        assertThat(AuditExportVerifier.verify(edited, pinned).valid()).isFalse();

        long lastId = ids().getLast();
        List<String> cut = lines.stream().filter(l -> !l.contains("\"id\":" + lastId + ",")).toList();
        assertThat(cut).hasSize(lines.size() - 1);
        AuditExportVerifier.Result cutResult = AuditExportVerifier.verify(cut, pinned);
        assertThat(cutResult.valid()).isFalse();
        assertThat(cutResult.problem()).contains("entry " + lastId);

        com.nimbusds.jose.jwk.ECKey other = CheckpointKey.derive(new FixedKeys().seed).toPublicJWK();
        assertThat(AuditExportVerifier.verify(lines, other).valid()).isFalse();

        // From an id on: linked from the first exported entry of each chain, checkpoints before the range left aside.
        java.io.StringWriter since = new java.io.StringWriter();
        export.write(since, ids().get(10), null);
        AuditExportVerifier.Result partial = AuditExportVerifier.verify(since.toString().lines().toList(), pinned);
        assertThat(partial.valid()).as(partial.problem()).isTrue();
        assertThat(partial.entries()).isEqualTo(19);
    }

    // --- helpers ---

    private void appendSome(int count) {
        audit.keyChains();
        for (int i = 0; i < count; i++) {
            int n = i;
            transactions.executeWithoutResult(tx -> audit.append("tester", "thing.done", "thing", "t" + n, "entry " + n));
        }
        assertThat(audit.verify()).extracting(AuditLog.Verification::valid).as("%s", audit.verify()).isEqualTo(true);
    }

    /** Entries in one chain (one transaction keeps to one chain), committed one by one in separate appends. */
    private void appendOneChain(int count) {
        audit.keyChains();
        transactions.executeWithoutResult(tx -> {
            for (int i = 0; i < count; i++) {
                audit.append("tester", "thing.done", "thing", "t" + i, "entry " + i);
            }
        });
        assertThat(jdbc.sql("SELECT COUNT(DISTINCT chain) FROM audit_log").query(Long.class).single()).isEqualTo(1);
        assertThat(audit.verify()).extracting(AuditLog.Verification::valid).as("%s", audit.verify()).isEqualTo(true);
    }

    /**
     * What an attacker with the database (and not the key) does: deletes two entries, recomputes the rest of the chain
     * (with plain SHA-256, and the MACs under {@code guessedKey} when given, else left as they were) and the head.
     */
    private void deleteAndRecompute(long first, long second, byte[] guessedKey) {
        AuditLog.Entry before = entry(first - 1);
        jdbc.sql("DELETE FROM audit_log WHERE id IN (:a, :b)").param("a", first).param("b", second).update();
        String prev = before.hash();
        int chain = before.chain();
        long lastId = before.id();
        for (AuditLog.Entry e : entries()) {
            if (e.id() <= before.id()) {
                continue;
            }
            String hash = ChainHashes.keyed(chain, prev, e.occurredAt(), e.actor(), e.action(), e.subjectType(), e.subjectId(), e.details());
            String mac = guessedKey == null ? e.mac() : ChainHashes.entryMac(guessedKey, chain, hash);
            jdbc.sql("UPDATE audit_log SET prev_hash = :p, hash = :h, mac = :m WHERE id = :id").param("p", prev).param("h", hash)
                    .param("m", mac).param("id", e.id()).update();
            prev = hash;
            lastId = e.id();
        }
        long count = jdbc.sql("SELECT COUNT(*) FROM audit_log WHERE chain = :c").param("c", chain).query(Long.class).single();
        long keyedAfter = jdbc.sql("SELECT keyed_after FROM audit_head WHERE chain = :c").param("c", chain).query(Long.class).single();
        String headMac = guessedKey == null ? null : ChainHashes.headMac(guessedKey, chain, lastId, prev, count, keyedAfter);
        jdbc.sql("UPDATE audit_head SET last_hash = :h, last_id = :id, entries = :n" + (headMac != null ? ", mac = :m" : "") + " WHERE chain = :c")
                .param("h", prev).param("id", lastId).param("n", count).params(headMac != null ? java.util.Map.of("m", headMac) : java.util.Map.of())
                .param("c", chain).update();
    }

    /** Writes {@code count} entries to {@code chain} the way the code before keying did, and moves its head. */
    private List<Long> writeLegacy(int chain, int count) {
        String prev = jdbc.sql("SELECT last_hash FROM audit_head WHERE chain = :c").param("c", chain).query(String.class).single().trim();
        List<Long> written = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
            String hash = ChainHashes.legacy(prev, at, "old", "thing.done", "thing", "l" + i, "legacy " + i);
            jdbc.sql("INSERT INTO audit_log (chain, occurred_at, actor, action, subject_type, subject_id, details, prev_hash, hash) "
                    + "VALUES (:c, :at, 'old', 'thing.done', 'thing', :s, :d, :p, :h)").param("c", chain).param("at", Timestamps.of(at))
                    .param("s", "l" + i).param("d", "legacy " + i).param("p", prev).param("h", hash).update();
            prev = hash;
            written.add(jdbc.sql("SELECT MAX(id) FROM audit_log").query(Long.class).single());
        }
        // The old code kept only last_hash; the migration fills last_id and entries, as here.
        jdbc.sql("UPDATE audit_head SET last_hash = :h, last_id = :id, entries = entries + :n WHERE chain = :c").param("h", prev)
                .param("id", written.getLast()).param("n", count).param("c", chain).update();
        return written;
    }

    private List<Long> ids() {
        return jdbc.sql("SELECT id FROM audit_log ORDER BY id").query(Long.class).list();
    }

    private List<AuditLog.Entry> entries() {
        return ids().stream().map(this::entry).toList();
    }

    private AuditLog.Entry entry(long id) {
        return audit.search(null, null, null, null, 0, 500).stream().filter(e -> e.id() == id).findFirst().orElseThrow();
    }
}
