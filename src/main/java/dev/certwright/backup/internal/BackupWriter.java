package dev.certwright.backup.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;

import dev.certwright.backup.BackupException;

/**
 * Makes one archive from one snapshot, for the command line (offline) and for the server's endpoint alike: the time is
 * taken, the snapshot opened, the manifest's figures read in it, then the members are streamed into the encrypted
 * archive. Nothing is written unencrypted.
 */
public final class BackupWriter {

    private BackupWriter() {
    }

    /**
     * Where the backup comes from.
     *
     * @param settings the database (for PostgreSQL, what pg_dump connects to)
     * @param tools the PostgreSQL client tools
     * @param mode {@code offline} or {@code server}
     * @param caConfig the CA configuration file (certwright.ca-config), whose SHA-256 the manifest records
     */
    public record Source(DatabaseSettings settings, BackupProperties tools, String mode, String caConfig) {
    }

    /**
     * Writes the archive of the database {@code c} is connected to. {@code c} must be fresh (no transaction begun): its
     * transaction is the snapshot, and is rolled back at the end.
     */
    public static BackupManifest write(Connection c, Source source, OutputStream out, char[] passphrase, SecureRandom random, Clock clock,
            String backupId) {
        DatabaseSettings.Kind kind = source.settings().kind();
        // Before the snapshot: everything the backup holds happened before this time (the restore's audit entry says so).
        Instant takenAt = clock.instant();
        try {
            String snapshot = null;
            if (kind == DatabaseSettings.Kind.H2) {
                H2Database.beginSnapshot(c);
            } else {
                snapshot = PostgresDatabase.beginSnapshot(c);
            }
            SnapshotFacts facts = SnapshotFacts.read(c);
            BackupManifest manifest = new BackupManifest(BackupManifest.FORMAT_VERSION, backupId, version(), takenAt, source.mode(), kind.label(),
                    facts.product(), facts.schemaVersion(), source.caConfig(), caConfigSha256(source.caConfig()), facts.crlNumbers(), facts.counts(),
                    facts.auditHeads());
            try (BackupArchive.Writer archive = BackupArchive.write(out, passphrase, random)) {
                archive.member(BackupArchive.MANIFEST, manifest.json());
                if (facts.keystore() != null) {
                    archive.member(BackupArchive.KEYSTORE, facts.keystore());
                }
                try (OutputStream dump = archive.member(kind.member())) {
                    if (kind == DatabaseSettings.Kind.H2) {
                        H2Database.script(c, dump);
                    } else {
                        PostgresDatabase.dump(source.settings(), source.tools(), snapshot, dump);
                    }
                }
                archive.finish();
            }
            return manifest;
        } catch (SQLException e) {
            throw new BackupException(BackupException.Type.FAILED, "the database could not be read: " + H2Database.firstLine(e.getMessage()), e);
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.FAILED, "the archive could not be written: " + H2Database.firstLine(e.getMessage()), e);
        } finally {
            try {
                c.rollback();
            } catch (SQLException e) {
                // The connection is closed by the caller; nothing was changed.
            }
        }
    }

    /** The version of Certwright in this jar (its manifest's Implementation-Version). */
    public static String version() {
        String version = BackupWriter.class.getPackage().getImplementationVersion();
        return version == null ? "development" : version;
    }

    public static String caConfigSha256(String file) {
        if (file == null) {
            return null;
        }
        try {
            return HexFormat.of().formatHex(BackupArchive.sha256().digest(Files.readAllBytes(Path.of(file))));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
