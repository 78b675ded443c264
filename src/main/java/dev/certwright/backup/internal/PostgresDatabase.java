package dev.certwright.backup.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.certwright.backup.BackupException;

/**
 * PostgreSQL's dump and load, with the client tools PostgreSQL ships: pg_dump in its custom format (restored by
 * pg_restore in one transaction) of a snapshot that this class's own transaction exports ({@code pg_export_snapshot()}),
 * so that the manifest's figures, read in that transaction, and the dump describe the same state. pg_dump reads a
 * consistent snapshot while the cluster and the servers keep running.
 * <p>
 * The password goes to the tools in {@code PGPASSWORD}, never on their command line.
 */
public final class PostgresDatabase {

    private PostgresDatabase() {
    }

    /**
     * Starts a REPEATABLE READ, read-only transaction on {@code c} and exports its snapshot for pg_dump
     * ({@code --snapshot}). The transaction must stay open until pg_dump has started reading.
     */
    public static String beginSnapshot(Connection c) throws SQLException {
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        c.setReadOnly(true);
        try (PreparedStatement s = c.prepareStatement("SELECT pg_export_snapshot()"); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** Fails with one sentence when {@code tool} cannot be run: before any output is written. */
    public static void requireTool(String tool, String setting) {
        run(List.of(tool, "--version"), null, OutputStream.nullOutputStream(), tool, setting);
    }

    /** Writes pg_dump's custom-format dump of the exported snapshot to {@code out}. */
    public static void dump(DatabaseSettings settings, BackupProperties tools, String snapshot, OutputStream out) {
        // --compress=0: the archive's ZIP deflates it. --no-owner and --no-privileges: the restore's role owns what it
        // loads, whatever role made the backup.
        run(List.of(tools.pgDump(), "--format=custom", "--compress=0", "--no-owner", "--no-privileges", "--snapshot=" + snapshot,
                "--username=" + settings.username(), "--dbname=" + settings.libpqUri()), settings, out, tools.pgDump(), "certwright.backup.pg-dump");
    }

    /** Refuses a database that holds any table, view or sequence outside PostgreSQL's own schemas. */
    public static void requireEmpty(DatabaseSettings target) {
        try (Connection c = target.connect();
                PreparedStatement s = c.prepareStatement("SELECT COUNT(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
                        + "AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')");
                ResultSet rs = s.executeQuery()) {
            rs.next();
            long relations = rs.getLong(1);
            if (relations > 0) {
                throw new BackupException(BackupException.Type.TARGET_NOT_EMPTY, "the PostgreSQL database " + target.databaseName() + " is not empty ("
                        + relations + " tables, views or sequences): restore only into an empty database (CREATE DATABASE … OWNER the server's role)");
            }
        } catch (SQLException e) {
            throw unreachable(target, e);
        }
    }

    /** Loads a dump into the (empty) database in one transaction: it is all there, or nothing is. */
    public static void restore(DatabaseSettings target, BackupProperties tools, Path dump) {
        run(List.of(tools.pgRestore(), "--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges", "--no-comments",
                "--username=" + target.username(), "--dbname=" + target.libpqUri(), dump.toAbsolutePath().toString()), target,
                OutputStream.nullOutputStream(), tools.pgRestore(), "certwright.backup.pg-restore");
    }

    public static BackupException unreachable(DatabaseSettings settings, SQLException e) {
        return new BackupException(BackupException.Type.UNAVAILABLE, "cannot connect to the PostgreSQL database " + settings.databaseName() + ": "
                + H2Database.firstLine(e.getMessage()), e);
    }

    /** Runs a client tool, its standard output copied to {@code out}; a failure is one sentence with the tool's own last words. */
    private static void run(List<String> command, DatabaseSettings settings, OutputStream out, String tool, String setting) {
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        if (settings != null) {
            environment.put("PGPASSWORD", settings.password());
            environment.putIfAbsent("PGCONNECT_TIMEOUT", "10");
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.UNAVAILABLE, tool + " was not found (" + setting + " is '" + tool
                    + "'): install PostgreSQL's client tools, of the server's major version or newer, or name the program with --" + setting + "=PATH", e);
        }
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        Thread stderr = Thread.ofVirtual().start(() -> drain(process.getErrorStream(), errors));
        try (InputStream stdout = process.getInputStream()) {
            process.getOutputStream().close();
            stdout.transferTo(out);
            int exit = process.waitFor();
            stderr.join();
            if (exit != 0) {
                throw new BackupException(BackupException.Type.FAILED, tool + " failed (exit " + exit + "): " + lastWords(errors));
            }
        } catch (IOException e) {
            process.destroyForcibly();
            throw new BackupException(BackupException.Type.FAILED, "the output of " + tool + " could not be written: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new BackupException(BackupException.Type.FAILED, tool + " was interrupted", e);
        }
    }

    /** Keeps the first 16 KiB of what the tool printed on standard error, and reads the rest away. */
    private static void drain(InputStream in, ByteArrayOutputStream into) {
        try (in) {
            byte[] buffer = new byte[4096];
            int read;
            while ((read = in.read(buffer)) > 0) {
                synchronized (into) {
                    if (into.size() < 16_384) {
                        into.write(buffer, 0, Math.min(read, 16_384 - into.size()));
                    }
                }
            }
        } catch (IOException e) {
            // The tool ended.
        }
    }

    /** The tool's error lines, the first with "error" in it preferred, on one line. */
    private static String lastWords(ByteArrayOutputStream errors) {
        String text;
        synchronized (errors) {
            text = errors.toString(StandardCharsets.UTF_8);
        }
        List<String> lines = new ArrayList<>(text.lines().map(String::trim).filter(l -> !l.isEmpty()).toList());
        if (lines.isEmpty()) {
            return "it printed nothing";
        }
        String chosen = lines.stream().filter(l -> l.contains("error")).findFirst().orElse(lines.getLast());
        return chosen.length() > 300 ? chosen.substring(0, 300) + "…" : chosen;
    }
}
