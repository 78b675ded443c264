package dev.certwright.revocation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.platform.internal.CertwrightProperties;
import dev.certwright.platform.DataDirectory;
import dev.certwright.revocation.CrlStore.Kind;
import dev.certwright.revocation.CrlStore.Published;
import dev.certwright.support.MigratedH2;

/** CRL numbers that never go backwards, and CRL builds that leave no file behind (issue 19). */
class CrlDurabilityTest {

    private static final Instant T0 = Instant.parse("2026-12-03T09:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aCrlNumberLostInACrashOrARestoreIsNeverHandedOutAgain() throws Exception {
        DataSource database = MigratedH2.create("crl-numbers");
        CrlStore store = new CrlStore(JdbcClient.create(database), new JdbcTemplate(database));
        long first = store.nextNumber("dev-issuing", T0.toEpochMilli());
        insert(store, first);
        long second = store.nextNumber("dev-issuing", T0.toEpochMilli()); // the same millisecond: the stored number wins
        assertThat(second).isEqualTo(first + 1);
        insert(store, second);

        // The newest rows are gone (a lost write, or a backup from before them restored); relying parties still hold them.
        JdbcClient.create(database).sql("DELETE FROM crl").update();
        long afterRestore = store.nextNumber("dev-issuing", T0.plusSeconds(1).toEpochMilli());
        assertThat(afterRestore).isGreaterThan(second);

        // A number that ran ahead of the clock is still followed by a larger one.
        insert(store, afterRestore + 5_000);
        assertThat(store.nextNumber("dev-issuing", T0.plusSeconds(2).toEpochMilli())).isEqualTo(afterRestore + 5_001);
    }

    @Test
    void filesLeftByAKilledCrlBuildAreRemovedWhenTheNodeStarts() throws Exception {
        DataDirectory data = new DataDirectory(new CertwrightProperties(8080, dir, null, 262144), new SecureRandom());
        Path orphanBuild = Files.createDirectories(dir.resolve(CrlWorkDirectory.WORK)).resolve("certwright-dev-issuing-123.crl");
        Path orphanEntries = dir.resolve(CrlWorkDirectory.WORK).resolve("certwright-crl-456.entries");
        Path halfCopied = Files.createDirectories(dir.resolve(CrlWorkDirectory.CACHE)).resolve("dev-issuing.full.7.crl.part-41");
        Path served = dir.resolve(CrlWorkDirectory.CACHE).resolve("dev-issuing.full.7.crl");
        for (Path file : new Path[] {orphanBuild, orphanEntries, halfCopied, served}) {
            Files.write(file, new byte[] {1, 2, 3});
        }

        CrlWorkDirectory work = new CrlWorkDirectory(data);

        assertThat(orphanBuild).doesNotExist();
        assertThat(orphanEntries).doesNotExist();
        assertThat(halfCopied).doesNotExist();
        assertThat(served).exists(); // a complete copy is still good
        assertThat(work.newFile("certwright-x-", ".crl")).hasParent(dir.resolve(CrlWorkDirectory.WORK));
    }

    private void insert(CrlStore store, long number) throws Exception {
        Path der = Files.write(dir.resolve("crl-" + number), new byte[] {0x30, 0x00});
        store.insert(new Published("dev-issuing", number, Kind.FULL, null, T0, T0.plusSeconds(3600), 0, 0, 2, true), der);
    }
}
