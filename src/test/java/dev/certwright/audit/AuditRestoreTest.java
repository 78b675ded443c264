package dev.certwright.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.support.MigratedH2;

/**
 * Decision 67: a database restored from an older backup rolls the audit chains back, which the signed checkpoints
 * published since the backup would call tampering. A signed restore statement, appended to the same sink by the restored
 * node, supersedes exactly the heads beyond the backup's; the rest is still checked, a rollback without a statement is
 * still found, and a replayed or forged statement fails verify, on the server and offline.
 */
class AuditRestoreTest {

    @TempDir
    Path work;
    AuditLogTest.FixedKeys keys;
    Path sink;
    Node original;

    /** One database with the audit log on it, sharing the keys and the sink. */
    record Node(DataSource dataSource, JdbcClient jdbc, TransactionTemplate transactions, AuditCheckpoints checkpoints, AuditLog audit) {
    }

    Node node(DataSource dataSource) {
        JdbcClient jdbc = JdbcClient.create(dataSource);
        AuditCheckpoints checkpoints = new AuditCheckpoints(jdbc, keys, Clock.systemUTC(), sink);
        return new Node(dataSource, jdbc, new TransactionTemplate(new DataSourceTransactionManager(dataSource)), checkpoints,
                new AuditLog(jdbc, Clock.systemUTC(), keys, checkpoints));
    }

    @BeforeEach
    void start() {
        keys = new AuditLogTest.FixedKeys();
        sink = work.resolve("sink/checkpoints.jsonl");
        original = node(MigratedH2.create("restore"));
        original.audit().keyChains();
    }

    @Test
    void aRestoreStatementSupersedesTheCheckpointsOfTheAbandonedHistoryAndNothingElse() throws Exception {
        append(original, 30);
        assertThat(original.checkpoints().publish()).isPresent();
        Path backup = backup(original);
        Instant takenAt = Instant.now();
        // After the backup: more entries, and a checkpoint naming them, in the sink the restored node will read.
        append(original, 30);
        assertThat(original.checkpoints().publish()).isPresent();

        Node restored = restore(backup);
        AuditLog.Verification rolledBack = restored.audit().verify();
        assertThat(rolledBack.valid()).as("a rollback without a restore statement is what the checkpoints exist to find").isFalse();
        assertThat(rolledBack.problem()).contains("signed checkpoint");

        assertThat(restored.checkpoints().publishRestore("r-1", "b-1", takenAt, heads(restored))).isPresent();
        assertThat(restored.checkpoints().publishRestore("r-1", "b-1", takenAt, heads(restored))).as("one statement per restore").isEmpty();
        AuditLog.Verification check = restored.audit().verify();
        assertThat(check.valid()).as("%s", check).isTrue();
        assertThat(check.restores()).isEqualTo(1);
        assertThat(check.supersededCheckpoints()).isEqualTo(1);
        assertThat(check.checkpoints()).isEqualTo(2);

        // The log goes on after the restore; its checkpoints are checked in full.
        append(restored, 10);
        assertThat(restored.checkpoints().publish()).isPresent();
        assertThat(restored.audit().verify().valid()).isTrue();

        // What was restored is still protected by the checkpoint from before the backup: an edit there is found.
        long early = restored.jdbc().sql("SELECT MIN(id) FROM audit_log").query(Long.class).single();
        restored.jdbc().sql("UPDATE audit_log SET details = 'rewritten' WHERE id = :id").param("id", early).update();
        assertThat(restored.audit().verify().firstBrokenEntry()).isEqualTo(early);
    }

    @Test
    void aLaterRollbackToTheSameBackupIsFoundAlthoughARestoreIsOnRecord() throws Exception {
        Restored rolledBack = rolledBack(20, 20);
        Path backup = rolledBack.backup();
        Node restored = rolledBack.node();
        restored.checkpoints().publishRestore("r-1", "b-1", Instant.now(), heads(restored));
        append(restored, 20);
        restored.checkpoints().publish();
        assertThat(restored.audit().verify().valid()).isTrue();

        // Whoever can write the database puts the same backup back again, without the CA: no new statement can be made,
        // and the checkpoints after the first restore name what is gone.
        Node again = restore(backup);
        AuditLog.Verification check = again.audit().verify();
        assertThat(check.valid()).isFalse();
        assertThat(check.problem()).contains("signed checkpoint");
    }

    @Test
    void aReplayedRestoreStatementFailsVerifyOnTheServerAndOffline() throws Exception {
        Node restored = rolledBack(20, 0).node();
        restored.checkpoints().publishRestore("r-1", "b-1", Instant.now(), heads(restored));
        append(restored, 20);
        restored.checkpoints().publish();
        assertThat(restored.audit().verify().valid()).isTrue();
        List<String> offline = export(restored);
        assertThat(AuditExportVerifier.verify(offline, pinned()).valid()).as("%s", AuditExportVerifier.verify(offline, pinned())).isTrue();
        assertThat(AuditExportVerifier.verify(offline, pinned()).restores()).isEqualTo(1);

        // The signed line copied to the end of the sink, as an appender could: every checkpoint before it would look
        // superseded, so a copy is refused.
        String statement = Files.readAllLines(sink).stream().filter(AuditCheckpoints::isRestoreLine).findFirst().orElseThrow();
        Files.writeString(sink, statement + "\n", StandardOpenOption.APPEND);
        AuditLog.Verification check = restored.audit().verify();
        assertThat(check.valid()).isFalse();
        assertThat(check.problem()).contains("replayed");
        List<String> replayed = new ArrayList<>(offline);
        replayed.add(statement);
        AuditExportVerifier.Result result = AuditExportVerifier.verify(replayed, pinned());
        assertThat(result.valid()).isFalse();
        assertThat(result.problem()).contains("replayed");
    }

    @Test
    void offlineTheRestoreStatementIsWhatExcusesTheRollback() throws Exception {
        Node restored = rolledBack(20, 20).node();
        restored.checkpoints().publishRestore("r-1", "b-1", Instant.now(), heads(restored));
        append(restored, 5);
        List<String> lines = export(restored);
        AuditExportVerifier.Result ok = AuditExportVerifier.verify(lines, pinned());
        assertThat(ok.valid()).as(ok.problem()).isTrue();

        List<String> withoutStatement = lines.stream().filter(l -> !AuditCheckpoints.isRestoreLine(l)).toList();
        assertThat(withoutStatement).hasSize(lines.size() - 1);
        AuditExportVerifier.Result cut = AuditExportVerifier.verify(withoutStatement, pinned());
        assertThat(cut.valid()).isFalse();
        assertThat(cut.problem()).contains("missing or different");
    }

    @Test
    void aRestoreStatementSignedWithAnotherKeyIsABadLine() throws Exception {
        Node restored = rolledBack(10, 10).node();
        AuditLogTest.FixedKeys other = new AuditLogTest.FixedKeys();
        Path forged = work.resolve("forged.jsonl");
        new AuditCheckpoints(restored.jdbc(), other, Clock.systemUTC(), forged).publishRestore("r-x", "b-x", Instant.now(), heads(restored));
        Files.writeString(sink, Files.readString(forged), StandardOpenOption.APPEND);
        AuditLog.Verification check = restored.audit().verify();
        assertThat(check.valid()).isFalse();
        assertThat(check.restores()).isZero();
    }

    // --- helpers ---

    /** What a backup was taken of, and the database it was restored into. */
    record Restored(Path backup, Node node) {
    }

    /**
     * {@code before} entries and a checkpoint, a backup, {@code after} more entries and (when any) a checkpoint naming
     * them, then the backup restored into a new database beside the sink: the situation every test starts from.
     */
    private Restored rolledBack(int before, int after) throws Exception {
        append(original, before);
        assertThat(original.checkpoints().publish()).isPresent();
        Path backup = backup(original);
        if (after > 0) {
            append(original, after);
            assertThat(original.checkpoints().publish()).isPresent();
        }
        return new Restored(backup, restore(backup));
    }

    private void append(Node node, int count) {
        for (int i = 0; i < count; i++) {
            int n = i;
            node.transactions().executeWithoutResult(tx -> node.audit().append("tester", "thing.done", "thing", "t" + n, "entry " + n));
        }
    }

    /** A consistent copy of the database, as H2's SCRIPT makes it (what the backup module does). */
    private Path backup(Node node) throws Exception {
        Path script = work.resolve("backup-" + UUID.randomUUID() + ".sql");
        List<String> lines = node.jdbc().sql("SCRIPT NOPASSWORDS").query(String.class).list();
        Files.write(script, lines, StandardCharsets.UTF_8);
        return script;
    }

    private Node restore(Path script) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:restored-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        JdbcClient.create(dataSource).sql("RUNSCRIPT FROM '" + script + "'").update();
        return node(dataSource);
    }

    private static List<Checkpoint.Head> heads(Node node) {
        return node.jdbc().sql("SELECT chain, last_id, entries, last_hash FROM audit_head WHERE entries > 0 ORDER BY chain")
                .query((rs, i) -> new Checkpoint.Head(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getString(4).trim())).list();
    }

    private List<String> export(Node node) throws Exception {
        java.io.StringWriter out = new java.io.StringWriter();
        new AuditExport(node.audit(), node.checkpoints(), Clock.systemUTC()).write(out, 0, null);
        return out.toString().lines().toList();
    }

    private com.nimbusds.jose.jwk.ECKey pinned() {
        return CheckpointKey.derive(keys.seed).toPublicJWK();
    }
}
