package dev.certwright.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import javax.crypto.KeyGenerator;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.backup.internal.H2Database;
import dev.certwright.backup.internal.RestoreMarker;
import dev.certwright.platform.StartupException;

/**
 * The command line without a server: an offline backup of a stopped node's H2 database, restored into a new data
 * directory, comes back row for row with its marker; every refusal is one sentence and a non-zero exit, and nothing is
 * written when a restore is refused. (The packaged jar, the running server and PostgreSQL: {@code *BackupRestoreIT}.)
 */
class BackupCommandTest {

    static final String BACKUP_PASSPHRASE = "backup passphrase 0123";
    static final String CA_PASSPHRASE = "ca passphrase 0123456";
    static final String H2_OPTIONS = ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=FALSE";

    @TempDir
    Path work;
    Path node;
    Map<String, String> environment = new HashMap<>();
    String output;
    String errors;

    @BeforeEach
    void stoppedNode() throws Exception {
        node = work.resolve("node");
        String url = "jdbc:h2:file:" + node.resolve("db/certwright") + H2_OPTIONS;
        Flyway.configure().dataSource(url, "certwright", "").locations("classpath:db/migration").load().migrate();
        // A CA keystore row (a PKCS#12 under the CA passphrase), some certificates and a CRL: what a restore must bring back.
        KeyStore keystore = KeyStore.getInstance("PKCS12");
        keystore.load(null, null);
        keystore.setEntry("kek-1", new KeyStore.SecretKeyEntry(KeyGenerator.getInstance("AES").generateKey()),
                new KeyStore.PasswordProtection(CA_PASSPHRASE.toCharArray()));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        keystore.store(bytes, CA_PASSPHRASE.toCharArray());
        try (Connection c = DriverManager.getConnection(url, "certwright", "")) {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO ca_keystore (id, keystore, created_at) VALUES (1, ?, CURRENT_TIMESTAMP)")) {
                s.setBytes(1, bytes.toByteArray());
                s.executeUpdate();
            }
            try (Statement s = c.createStatement()) {
                s.execute("INSERT INTO crl (issuer_name, crl_number, kind, this_update, next_update, revision, entries, size_bytes, scheduled, der) "
                        + "VALUES ('dev-issuing', 1764583200000, 'FULL', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, 0, 0, 1, TRUE, X'00')");
            }
        }
        environment.put("CERTWRIGHT_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE);
    }

    int run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new BackupCommand(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                environment).execute(args);
        output = out.toString(StandardCharsets.UTF_8);
        errors = err.toString(StandardCharsets.UTF_8);
        assertThat(output + errors).as("no stack trace, no passphrase").doesNotContain("\tat ").doesNotContain(BACKUP_PASSPHRASE)
                .doesNotContain(CA_PASSPHRASE);
        return exit;
    }

    @Test
    void anOfflineBackupRestoresIntoANewDataDirectoryRowForRowWithItsMarker() throws Exception {
        Path archive = work.resolve("node.p7m");
        assertThat(run("backup", "--out", archive.toString(), "--data-dir", node.toString())).as(errors).isZero();
        assertThat(output).contains("wrote " + archive).contains("of the h2 database").contains("(offline)").contains("dev-issuing=1764583200000")
                .contains("openssl cms -decrypt");
        assertThat(Files.getPosixFilePermissions(archive)).extracting(Object::toString).containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE");
        assertThat(Files.list(work).filter(p -> p.getFileName().toString().endsWith(".part"))).as("no partial file left").isEmpty();

        Path restored = work.resolve("restored");
        environment.put("CERTWRIGHT_CA_PASSPHRASE", CA_PASSPHRASE);
        assertThat(run("restore", "--in", archive.toString(), "--data-dir=" + restored)).as(errors).isZero();
        assertThat(output).contains("restored backup").contains(restored.resolve("db/certwright.mv.db").toString());
        assertThat(dump(node)).isEqualTo(dump(restored));
        assertThat(Files.getPosixFilePermissions(restored.resolve("db"))).extracting(Object::toString)
                .containsExactlyInAnyOrder("OWNER_READ", "OWNER_WRITE", "OWNER_EXECUTE");
        RestoreMarker marker = RestoreMarker.read(restored, CA_PASSPHRASE.toCharArray()).orElseThrow();
        assertThat(marker.database()).isEqualTo("h2");
        assertThat(marker.mode()).isEqualTo("offline");
        assertThatThrownBy(() -> RestoreMarker.read(restored, "another ca passphrase".toCharArray())).isInstanceOf(StartupException.class)
                .hasMessageContaining("was not written by a restore with the CA passphrase");
        try (var left = Files.list(restored.resolve("restore"))) {
            assertThat(left.map(p -> p.getFileName().toString())).as("the decrypted dump is removed").containsExactly("pending.json");
        }

        // Once more into the same directory: the database exists, refused before anything is read.
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", restored.toString())).isEqualTo(1);
        assertThat(errors).contains("holds a restore that waits for its node's first start");
        RestoreMarker.remove(restored);
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", restored.toString())).isEqualTo(1);
        assertThat(errors).contains("already exists: restore builds a new node and never overwrites a database");
    }

    @Test
    void aRestoreWithACaPassphraseThatDoesNotOpenTheBackupsKeystoreWritesNothing() throws Exception {
        Path archive = work.resolve("node.p7m");
        assertThat(run("backup", "--out", archive.toString(), "--data-dir", node.toString())).as(errors).isZero();
        Path restored = work.resolve("restored");
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", restored.toString())).isEqualTo(1);
        assertThat(errors).contains("needs the CA passphrase");
        environment.put("CERTWRIGHT_CA_PASSPHRASE", "not the ca passphrase");
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", restored.toString())).isEqualTo(1);
        assertThat(errors).contains("does not open the CA keystore in this backup");
        assertThat(restored.resolve("db/certwright.mv.db")).doesNotExist();
        assertThat(RestoreMarker.pending(restored)).isFalse();
        // The passphrase file of the data directory, as the server reads it, does.
        environment.remove("CERTWRIGHT_CA_PASSPHRASE");
        Files.createDirectories(restored.resolve("ca"));
        Files.writeString(restored.resolve("ca/passphrase"), CA_PASSPHRASE + "\n");
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", restored.toString())).as(errors).isZero();
    }

    @Test
    void aWrongBackupPassphraseIsOneSentence() throws Exception {
        Path archive = work.resolve("node.p7m");
        assertThat(run("backup", "--out", archive.toString(), "--data-dir", node.toString())).isZero();
        environment.put("CERTWRIGHT_BACKUP_PASSPHRASE", "another passphrase 1");
        environment.put("CERTWRIGHT_CA_PASSPHRASE", CA_PASSPHRASE);
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", work.resolve("r").toString())).isEqualTo(1);
        assertThat(errors.lines()).hasSize(1);
        assertThat(errors).startsWith("certwright restore: the passphrase in CERTWRIGHT_BACKUP_PASSPHRASE does not open");
        assertThat(work.resolve("r/db/certwright.mv.db")).doesNotExist();
    }

    @Test
    void badCommandLinesAndMissingPassphrasesAreOneSentenceAndANonZeroExit() throws Exception {
        Path archive = work.resolve("x.p7m");
        assertThat(run("backup")).isEqualTo(2);
        assertThat(errors).contains("--out is required").contains("usage:");
        assertThat(run("backup", "--out", archive.toString(), "--frobnicate")).isEqualTo(2);
        assertThat(errors).contains("unknown option --frobnicate");
        assertThat(run("restore", "--in", archive.toString())).isEqualTo(2);
        assertThat(errors).contains("--data-dir is required");
        assertThat(run("backup", "--out", archive.toString(), "--token-file", "t")).isEqualTo(2);
        assertThat(errors).contains("go with --server");

        environment.remove("CERTWRIGHT_BACKUP_PASSPHRASE");
        assertThat(run("backup", "--out", archive.toString(), "--data-dir", node.toString())).isEqualTo(1);
        assertThat(errors).contains("CERTWRIGHT_BACKUP_PASSPHRASE is not set");
        environment.put("CERTWRIGHT_BACKUP_PASSPHRASE", "short");
        assertThat(run("backup", "--out", archive.toString(), "--data-dir", node.toString())).isEqualTo(1);
        assertThat(errors).contains("at least 12 characters");
        environment.put("CERTWRIGHT_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE);

        assertThat(run("backup", "--out", archive.toString(), "--data-dir", work.resolve("nowhere").toString())).isEqualTo(1);
        assertThat(errors).contains("there is no H2 database at");
        assertThat(archive).doesNotExist();
        Files.writeString(archive, "mine");
        assertThat(run("backup", "--out", archive.toString(), "--data-dir", node.toString())).isEqualTo(1);
        assertThat(errors).contains("already exists: a backup never overwrites a file");
        assertThat(Files.readString(archive)).isEqualTo("mine");

        environment.put("CERTWRIGHT_CA_PASSPHRASE", CA_PASSPHRASE);
        assertThat(run("restore", "--in", archive.toString(), "--data-dir", work.resolve("r").toString())).isEqualTo(1);
        assertThat(errors).contains("is not a Certwright backup");
        assertThat(run("restore", "--in", work.resolve("missing.p7m").toString(), "--data-dir", work.resolve("r").toString())).isEqualTo(1);
        assertThat(errors).contains("is not a file");
        assertThat(run("backup", "--out", work.resolve("pg.p7m").toString(), "--spring.datasource.url=jdbc:postgresql://127.0.0.1:1/none",
                "--certwright.backup.pg-dump=/nonexistent/pg_dump")).isEqualTo(1);
        assertThat(errors).contains("/nonexistent/pg_dump was not found");
        assertThat(run("backup", "--out", work.resolve("mem.p7m").toString(), "--spring.datasource.url=jdbc:h2:mem:x")).isEqualTo(1);
        assertThat(errors).contains("not a local file");
    }

    /**
     * The dump's snapshot: H2's SERIALIZABLE reads one snapshot of every table from the transaction's first read, so a
     * row committed meanwhile, in another table, is not in the dump (its REPEATABLE READ would have shown it).
     */
    @Test
    void theH2DumpIsOneSnapshotOfEveryTable() throws Exception {
        String url = "jdbc:h2:file:" + node.resolve("db/certwright") + H2_OPTIONS;
        try (Connection reader = DriverManager.getConnection(url, "certwright", ""); Connection writer = DriverManager.getConnection(url, "certwright", "")) {
            H2Database.beginSnapshot(reader);
            try (Statement s = reader.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM crl")) {
                rs.next();
            }
            CompletableFuture.runAsync(() -> {
                try (Statement s = writer.createStatement()) {
                    s.execute("INSERT INTO api_token (name, role, token_hash, created_at) VALUES ('during-the-dump', 'VIEWER', 'h', CURRENT_TIMESTAMP)");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }).get();
            ByteArrayOutputStream dump = new ByteArrayOutputStream();
            H2Database.script(reader, dump);
            assertThat(dump.toString(StandardCharsets.UTF_8)).contains("INSERT INTO \"public\".\"crl\"").doesNotContain("during-the-dump");
            reader.rollback();
        }
    }

    private static List<String> dump(Path dataDir) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/certwright") + H2_OPTIONS + ";IFEXISTS=TRUE",
                "certwright", ""); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SCRIPT NOPASSWORDS")) {
            List<String> lines = new java.util.ArrayList<>();
            while (rs.next()) {
                lines.add(rs.getString(1));
            }
            return lines;
        }
    }
}
