package dev.certwright.backup;

import java.io.OutputStream;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Arrays;
import java.util.UUID;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.backup.internal.BackupManifest;
import dev.certwright.backup.internal.BackupProperties;
import dev.certwright.backup.internal.BackupWriter;
import dev.certwright.backup.internal.DatabaseSettings;
import dev.certwright.backup.internal.PostgresDatabase;

/**
 * The online backup (decision 69): a running node makes the same archive as {@code backup} offline, from its own
 * database, for {@code POST /api/v1/backups}. That is the way to back up the embedded H2 database while its server runs
 * (the server holds the file's lock); PostgreSQL can be backed up either way. The snapshot is a pooled connection's
 * transaction, so issuance and revocation go on while it is read.
 */
@Component
@EnableConfigurationProperties(BackupProperties.class)
public class DatabaseBackups {

    private static final Logger log = LoggerFactory.getLogger(DatabaseBackups.class);

    private final DataSource dataSource;
    private final BackupProperties tools;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final SecureRandom random;
    private final Clock clock;
    private final DatabaseSettings settings;
    private final String caConfig;

    DatabaseBackups(DataSource dataSource, BackupProperties tools, AuditLog audit, TransactionTemplate transactions, SecureRandom random, Clock clock,
            @Value("${spring.datasource.url}") String url, @Value("${spring.datasource.username:}") String username,
            @Value("${spring.datasource.password:}") String password, @Value("${certwright.ca-config}") String caConfig) {
        this.dataSource = dataSource;
        this.tools = tools;
        this.audit = audit;
        this.transactions = transactions;
        this.random = random;
        this.clock = clock;
        this.settings = new DatabaseSettings(url, username, password);
        this.caConfig = caConfig;
    }

    /**
     * A backup that was checked and audited, to be streamed by {@link #write}. It holds the passphrase until then; its
     * {@code toString} does not show it.
     */
    public static final class Backup {

        private final String id;
        private final char[] passphrase;

        Backup(String id, char[] passphrase) {
            this.id = id;
            this.passphrase = passphrase;
        }

        public String id() {
            return id;
        }

        @Override
        public String toString() {
            return "Backup[" + id + "]";
        }
    }

    /**
     * Checks what a backup needs before any byte is sent (a passphrase of 12 characters or more; pg_dump for
     * PostgreSQL), and audits who asked for it: the entry is written before the snapshot, so the backup holds it.
     */
    public Backup prepare(String passphrase, String actor) {
        if (passphrase == null || passphrase.length() < 12) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "passphrase must be at least 12 characters long");
        }
        if (settings.kind() == DatabaseSettings.Kind.POSTGRESQL) {
            PostgresDatabase.requireTool(tools.pgDump(), "certwright.backup.pg-dump");
        }
        String id = UUID.randomUUID().toString();
        transactions.executeWithoutResult(tx -> audit.append(actor, "backup.created", "backup", id,
                "an encrypted backup (CMS EnvelopedData to the caller's passphrase) of the " + settings.kind().label() + " database, streamed to the caller"));
        return new Backup(id, passphrase.toCharArray());
    }

    /** Streams the archive; the passphrase is forgotten afterwards. A failure midway leaves the client an incomplete archive. */
    public void write(Backup backup, OutputStream out) {
        try (Connection c = dataSource.getConnection()) {
            BackupManifest manifest = BackupWriter.write(c, new BackupWriter.Source(settings, tools, "server", caConfig), out, backup.passphrase,
                    random, clock, backup.id);
            log.info("backup {} of the {} database streamed: taken at {}, schema {}, {} certificates", backup.id, manifest.database(),
                    manifest.takenAt(), manifest.schemaVersion(), manifest.counts().get("certificates"));
        } catch (SQLException e) {
            throw new BackupException(BackupException.Type.UNAVAILABLE, "the database is not available: " + e.getMessage(), e);
        } catch (BackupException e) {
            log.warn("backup {} failed: {}", backup.id, e.getMessage());
            throw e;
        } finally {
            Arrays.fill(backup.passphrase, '\0');
        }
    }
}
