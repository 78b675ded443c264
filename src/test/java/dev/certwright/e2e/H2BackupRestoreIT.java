package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightCommand;
import dev.certwright.support.Commands;
import dev.certwright.support.TestDatabase;

/**
 * Backup and restore on the embedded H2 database. A running server holds the database file's lock, so the backup that is
 * restored goes through it ({@code scripts/backup.sh --server … --token-file …}, the online mode); the offline mode is
 * refused while it runs, with the sentence that says so, and works once it is stopped.
 */
class H2BackupRestoreIT extends BackupRestoreEndToEnd {

    Commands.Result offlineWhileRunning;

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    List<String> settings(TestDatabase database) {
        return List.of();
    }

    @Override
    String kind() {
        return "h2";
    }

    @Override
    String olderMode() {
        return "server";
    }

    @Override
    Commands.Result backUpWhileRunning(Path out) {
        Commands.Result result = CertwrightCommand.script(work, environment(), "scripts/backup.sh", "--out", out.toString(), "--server",
                "https://localhost:" + original.httpsPort(), "--token-file", original.dataDir().resolve("admin-token").toString(), "--cacert",
                work.resolve("root.pem").toString());
        assertThat(result.output()).doesNotContain(BACKUP_PASSPHRASE).doesNotContain(admin).contains("(server)");
        return result;
    }

    @Override
    void whileRunning() {
        offlineWhileRunning = cli("backup", "--out", work.resolve("refused.p7m").toString(), "--data-dir", original.dataDir().toString());
    }

    @Override
    void whenStopped() {
        other = work.resolve("offline.p7m");
        cli("backup", "--out", other.toString(), "--data-dir", original.dataDir().toString(),
                "--certwright.ca-config=" + dev.certwright.support.CertwrightProcess.PROJECT.resolve("ca-config/dev.yml")).assertSuccess();
    }

    @Test
    void theOfflineModeIsRefusedWhileTheServerHoldsTheDatabaseNamingTheOnlineMode() {
        assertThat(offlineWhileRunning.exitCode()).as(offlineWhileRunning.output()).isEqualTo(1);
        assertThat(offlineWhileRunning.output().trim().lines()).hasSize(1);
        assertThat(offlineWhileRunning.output()).contains("is in use by a running server").contains("--server");
        assertThat(work.resolve("refused.p7m")).doesNotExist();
    }
}
