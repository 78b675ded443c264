package dev.certwright.backup.internal;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.stream.Stream;

import dev.certwright.backup.BackupException;

/**
 * The embedded H2 database's dump and load. The dump is H2's {@code SCRIPT}: plain SQL (schema, rows, sequences and
 * identity positions) that any H2 of this major version or newer loads with {@code RUNSCRIPT}. It is read in a
 * SERIALIZABLE transaction, which H2 2.x runs on one snapshot of the whole database taken at the transaction's first
 * read (its REPEATABLE READ is a snapshot per table, which would not be consistent across tables), so a server may keep
 * committing while it runs.
 */
public final class H2Database {

    /** H2's error code for "the database is open in another process" (the file lock of a running server). */
    private static final int DATABASE_ALREADY_OPEN = 90020;
    /** H2's error code for IFEXISTS=TRUE on a database that does not exist. */
    private static final int DATABASE_NOT_FOUND_WITH_IF_EXISTS = 90146;

    private H2Database() {
    }

    /** Starts the snapshot transaction on {@code c}: the dump and the manifest's figures are read in it. */
    public static void beginSnapshot(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    }

    /** Writes the database as SQL, a statement a line, as {@code SCRIPT TO} would write it to a file. */
    public static void script(Connection c, OutputStream out) throws SQLException, IOException {
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SCRIPT NOPASSWORDS")) {
            rs.setFetchSize(500);
            while (rs.next()) {
                writer.write(rs.getString(1));
                writer.write('\n');
            }
        }
        writer.flush();
    }

    /**
     * Opens the H2 file database of a stopped server, without creating one where none is. A running server holds the
     * file's lock: that is one clear sentence naming the way that works instead (through the server).
     */
    public static Connection openExisting(DatabaseSettings settings) {
        Path file = settings.h2File();
        try {
            return settings.withH2Setting("IFEXISTS=TRUE").connect();
        } catch (SQLException e) {
            if (e.getErrorCode() == DATABASE_ALREADY_OPEN || String.valueOf(e.getMessage()).contains("already in use")) {
                throw new BackupException(BackupException.Type.UNAVAILABLE, "the H2 database " + file
                        + " is in use by a running server: back up through it (backup --server https://HOST:PORT --token-file FILE) or stop it first");
            }
            if (e.getErrorCode() == DATABASE_NOT_FOUND_WITH_IF_EXISTS || !Files.exists(file)) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, "there is no H2 database at " + file
                        + ": name the server's data directory with --data-dir DIR (or its spring.datasource.url)");
            }
            throw new BackupException(BackupException.Type.UNAVAILABLE, "cannot open the H2 database " + file + ": " + firstLine(e.getMessage()), e);
        }
    }

    /** Refuses a target that already holds a database: a restore builds a new node. */
    public static void requireAbsent(DatabaseSettings target) {
        Path file = target.h2File();
        if (Files.exists(file)) {
            throw new BackupException(BackupException.Type.TARGET_NOT_EMPTY, file
                    + " already exists: restore builds a new node and never overwrites a database; choose an empty --data-dir or move it away");
        }
    }

    /**
     * Creates the database from a dump. Its directory is made 0700 first (as the server's DataDirectory does), so that
     * the files H2 creates are never readable by another user; on failure the half-made database is removed.
     */
    public static void restore(DatabaseSettings target, Path script) {
        requireAbsent(target);
        Path base = target.h2Path();
        try {
            Files.createDirectories(base.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.setPosixFilePermissions(base.getParent(), PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.FAILED, "cannot create " + base.getParent() + ": " + e.getMessage(), e);
        }
        try (Connection c = target.connect(); Statement s = c.createStatement()) {
            s.execute("RUNSCRIPT FROM '" + script.toAbsolutePath().toString().replace("'", "''") + "' CHARSET 'UTF-8'");
        } catch (SQLException e) {
            removeDatabaseFiles(base);
            throw new BackupException(BackupException.Type.FAILED, "the H2 database could not be loaded from the backup: " + firstLine(e.getMessage()), e);
        }
        restrict(base.getParent());
    }

    private static void removeDatabaseFiles(Path base) {
        String prefix = base.getFileName() + ".";
        try (Stream<Path> files = Files.list(base.getParent())) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix)).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // Left for the operator: the message above names the directory's database.
        }
    }

    /** The database files are the owner's alone (0600), as the server keeps them. */
    private static void restrict(Path directory) {
        try (Stream<Path> files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(Files.isDirectory(file) ? "rwx------" : "rw-------"));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // The server restricts them again when it starts.
        }
    }

    static String firstLine(String message) {
        if (message == null) {
            return "no details";
        }
        String line = message.lines().findFirst().orElse(message).trim();
        return line.length() > 200 ? line.substring(0, 200) + "…" : line;
    }
}
