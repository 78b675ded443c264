package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightCommand;
import dev.certwright.support.Commands;
import dev.certwright.support.TestDatabase;

/**
 * Backup and restore on PostgreSQL: pg_dump reads a snapshot while the cluster and the node run, so the backup that is
 * restored is made offline by the command line (the password in SPRING_DATASOURCE_PASSWORD, never on a command line),
 * and a second one through the running server; the restore goes into a new, empty database with pg_restore. pg_dump
 * and pg_restore are the peers here: without them this test fails, it never skips.
 */
class PostgresBackupRestoreIT extends BackupRestoreEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    List<String> settings(TestDatabase database) {
        TestDatabase.Postgres pg = (TestDatabase.Postgres) database;
        return List.of("--spring.datasource.url=" + pg.url(), "--spring.datasource.username=" + pg.user());
    }

    @Override
    String kind() {
        return "postgresql";
    }

    @Override
    String olderMode() {
        return "offline";
    }

    @Override
    Commands.Result backUpWhileRunning(Path out) {
        List<String> args = new ArrayList<>(List.of("backup", "--out", out.toString(),
                "--certwright.ca-config=" + dev.certwright.support.CertwrightProcess.PROJECT.resolve("ca-config/dev.yml")));
        args.addAll(settings(originalDatabase));
        return cli(args.toArray(String[]::new));
    }

    @Override
    void whileRunning() {
        other = work.resolve("online.p7m");
        CertwrightCommand.script(work, environment(), "scripts/backup.sh", "--out", other.toString(), "--server", "https://localhost:" + original.httpsPort(),
                "--token-file", original.dataDir().resolve("admin-token").toString(), "--cacert", work.resolve("root.pem").toString()).assertSuccess();
    }

    @Override
    void whenStopped() {
    }

    @Test
    void theRestoredDatabaseKeepsTheSerialConstraintAndHoldsNoDuplicate() throws Exception {
        try (Connection c = restoredDatabase.connect()) {
            try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM (SELECT issuer_dn, serial FROM certificate "
                    + "GROUP BY issuer_dn, serial HAVING COUNT(*) > 1) AS repeated")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
            // The unique constraint on (issuer_dn, serial) came back with the schema: a repeat is refused by the database.
            try (ResultSet rs = c.createStatement().executeQuery("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    + "WHERE conrelid = 'certificate'::regclass AND contype = 'u'")) {
                List<String> unique = new ArrayList<>();
                while (rs.next()) {
                    unique.add(rs.getString(1));
                }
                assertThat(unique).anySatisfy(definition -> assertThat(definition).contains("issuer_dn").contains("serial"));
            }
        }
    }

    @Test
    void withoutPgDumpTheBackupIsOneSentenceAndNoFile() {
        List<String> args = new ArrayList<>(List.of("backup", "--out", work.resolve("no-pg-dump.p7m").toString(),
                "--certwright.backup.pg-dump=/nonexistent/pg_dump"));
        args.addAll(settings(restoredDatabase));
        Commands.Result result = cli(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output().trim().lines()).hasSize(1);
        assertThat(result.output()).contains("/nonexistent/pg_dump was not found").contains("certwright.backup.pg-dump");
        assertThat(work.resolve("no-pg-dump.p7m")).doesNotExist();
    }
}
