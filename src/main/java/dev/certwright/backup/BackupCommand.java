package dev.certwright.backup;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.UnrecoverableKeyException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

import dev.certwright.backup.internal.BackupArchive;
import dev.certwright.backup.internal.BackupManifest;
import dev.certwright.backup.internal.BackupProperties;
import dev.certwright.backup.internal.BackupWriter;
import dev.certwright.backup.internal.CommandSettings;
import dev.certwright.backup.internal.DatabaseSettings;
import dev.certwright.backup.internal.H2Database;
import dev.certwright.backup.internal.PostgresDatabase;
import dev.certwright.backup.internal.RestoreMarker;
import dev.certwright.backup.internal.ServerBackupClient;
import dev.certwright.backup.internal.SnapshotFacts;

/**
 * {@code java -jar certwright.jar backup …} and {@code … restore …}: dispatched by {@code CertwrightApplication.main}
 * before Spring starts, so that neither starts the web server, the schedulers or anything else of a node. The database
 * settings are the server's own (see {@link CommandSettings}). Bad input gets one sentence on standard error and a
 * non-zero exit: 1 when the backup or restore failed, 2 for a usage error. Passphrases come from the environment
 * only and are never printed.
 *
 * <pre>
 * backup  --out FILE [--data-dir DIR] [--spring.datasource.url=… …]        offline: the database directly
 * backup  --out FILE --server https://HOST:PORT --token-file FILE [--cacert root.pem]   online: through a running server
 * restore --in FILE --data-dir DIR [--spring.datasource.url=… …]           a new node's database, from a backup
 * </pre>
 */
public final class BackupCommand {

    static final String BACKUP_PASSPHRASE = "CERTWRIGHT_BACKUP_PASSPHRASE";
    static final String CA_PASSPHRASE = "CERTWRIGHT_CA_PASSPHRASE";
    /** The server keeps the CA passphrase here when none was given (CaBootstrap); a restore reads it the same way. */
    static final String CA_PASSPHRASE_FILE = "ca/passphrase";
    static final int MIN_PASSPHRASE = 12;
    private static final List<String> VALUED = List.of("out", "in", "data-dir", "server", "token-file", "cacert");
    private static final String USAGE = """
            usage: certwright backup  --out FILE [--data-dir DIR] [--spring.datasource.url=URL ...]
                   certwright backup  --out FILE --server https://HOST:PORT --token-file FILE [--cacert ROOT.pem]
                   certwright restore --in FILE --data-dir DIR [--spring.datasource.url=URL ...]
            The archive's passphrase comes from CERTWRIGHT_BACKUP_PASSPHRASE (at least 12 characters); a restore also needs
            the CA passphrase (CERTWRIGHT_CA_PASSPHRASE, or DIR/ca/passphrase). Database settings are the server's.""";

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> environment;
    private final SecureRandom random = new SecureRandom();
    private final Clock clock = Clock.systemUTC();

    BackupCommand(PrintStream out, PrintStream err, Map<String, String> environment) {
        this.out = out;
        this.err = err;
        this.environment = environment;
    }

    /** Runs {@code args} ({@code backup …} or {@code restore …}) and returns the exit status. */
    public static int run(String[] args) {
        return new BackupCommand(System.out, System.err, System.getenv()).execute(args);
    }

    int execute(String[] args) {
        String command = args.length == 0 ? "" : args[0];
        Options options;
        try {
            options = Options.parse(args);
        } catch (BackupException e) {
            err.println("certwright " + command + ": " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        try {
            if (command.equals("backup")) {
                backup(options);
            } else {
                restore(options);
            }
            return 0;
        } catch (BackupException e) {
            err.println("certwright " + command + ": " + e.getMessage());
            return 1;
        } catch (RuntimeException e) {
            // A fault of ours: still one line, without a stack trace, naming what failed.
            err.println("certwright " + command + ": failed unexpectedly: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return 1;
        }
    }

    /** The command line: the options above, and {@code --key=value} settings (a key with a dot) passed on as the server takes them. */
    record Options(Map<String, String> values, List<String> settings) {

        static Options parse(String[] args) {
            if (args.length == 0 || !(args[0].equals("backup") || args[0].equals("restore"))) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, "the first argument must be backup or restore");
            }
            Map<String, String> values = new LinkedHashMap<>();
            List<String> settings = new ArrayList<>();
            for (int i = 1; i < args.length; i++) {
                String arg = args[i];
                if (!arg.startsWith("--") || arg.length() == 2) {
                    throw new BackupException(BackupException.Type.BAD_REQUEST, "unexpected argument '" + arg + "'");
                }
                String name = arg.substring(2);
                String value = null;
                int equals = name.indexOf('=');
                if (equals >= 0) {
                    value = name.substring(equals + 1);
                    name = name.substring(0, equals);
                }
                if (name.contains(".")) {
                    if (value == null) {
                        throw new BackupException(BackupException.Type.BAD_REQUEST, "the setting --" + name + " needs a value: --" + name + "=VALUE");
                    }
                    settings.add("--" + name + "=" + value);
                    continue;
                }
                if (!VALUED.contains(name)) {
                    throw new BackupException(BackupException.Type.BAD_REQUEST, "unknown option --" + name);
                }
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new BackupException(BackupException.Type.BAD_REQUEST, "--" + name + " needs a value");
                    }
                    value = args[++i];
                }
                if (values.put(name, value) != null) {
                    throw new BackupException(BackupException.Type.BAD_REQUEST, "--" + name + " is given twice");
                }
            }
            Options options = new Options(values, settings);
            if (args[0].equals("backup")) {
                options.require("out");
                options.allowOnly("out", "data-dir", "server", "token-file", "cacert");
                if (!values.containsKey("server") && (values.containsKey("token-file") || values.containsKey("cacert"))) {
                    throw new BackupException(BackupException.Type.BAD_REQUEST, "--token-file and --cacert go with --server");
                }
            } else {
                options.require("in");
                options.require("data-dir");
                options.allowOnly("in", "data-dir");
            }
            return options;
        }

        void require(String name) {
            if (!values.containsKey(name)) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, "--" + name + " is required");
            }
        }

        void allowOnly(String... names) {
            for (String name : values.keySet()) {
                if (!List.of(names).contains(name)) {
                    throw new BackupException(BackupException.Type.BAD_REQUEST, "--" + name + " does not go with this command");
                }
            }
        }

        Path path(String name) {
            return values.containsKey(name) ? Path.of(values.get(name)).toAbsolutePath().normalize() : null;
        }

        /** The settings, with --data-dir as the server's certwright.data-dir. */
        CommandSettings commandSettings() {
            List<String> all = new ArrayList<>(settings);
            if (values.containsKey("data-dir")) {
                all.add("--certwright.data-dir=" + path("data-dir"));
            }
            return CommandSettings.of(all);
        }
    }

    // --- backup ---

    private void backup(Options options) {
        Path target = options.path("out");
        if (Files.exists(target)) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, target + " already exists: a backup never overwrites a file; name another");
        }
        if (target.getParent() == null || !Files.isDirectory(target.getParent())) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "the directory of " + target + " does not exist");
        }
        char[] passphrase = passphrase();
        String backupId = UUID.randomUUID().toString();
        Path partial;
        try {
            partial = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".part",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "cannot write into " + target.getParent() + ": " + e.getMessage(), e);
        }
        try {
            try (OutputStream file = Files.newOutputStream(partial)) {
                if (options.values().containsKey("server")) {
                    ServerBackupClient.fetch(URI.create(options.values().get("server")), options.path("token-file"), options.path("cacert"),
                            passphrase, file);
                } else {
                    offline(options.commandSettings(), file, passphrase, backupId);
                }
            }
            // Read back, decrypted and checked against its sums, before it is given its name: what is named is restorable.
            BackupManifest manifest;
            try {
                manifest = BackupManifest.parse(BackupArchive.read(partial, passphrase, null).manifest(), target.toString());
            } catch (BackupException e) {
                throw new BackupException(BackupException.Type.FAILED, "the backup did not complete (" + e.getMessage().replace(partial.toString(),
                        "what was received") + "); " + target + " was not written" + (options.values().containsKey("server") ? ": the server's log says why" : ""), e);
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            out.println("wrote " + target + ": backup " + manifest.backupId() + " of the " + manifest.database() + " database, taken at "
                    + manifest.takenAt() + " (" + manifest.mode() + "), schema " + manifest.schemaVersion() + ", " + manifest.counts().get("certificates")
                    + " certificates, last CRL numbers " + manifest.crlNumbers());
            out.println("it is CMS EnvelopedData (RFC 5652) to the passphrase; to look inside: openssl cms -decrypt -inform DER -in " + target
                    + " -pwri_password \"$" + BACKUP_PASSPHRASE + "\" -out backup.zip");
            if (manifest.caConfigSha256() == null) {
                out.println("note: the CA configuration " + manifest.caConfig() + " could not be read from here, so its SHA-256 is not in the manifest"
                        + " (set --certwright.ca-config=FILE)");
            }
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.FAILED, "cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                err.println("certwright backup: could not remove " + partial);
            }
        }
    }

    private void offline(CommandSettings settings, OutputStream file, char[] passphrase, String backupId) throws IOException {
        DatabaseSettings database = settings.database();
        BackupProperties tools = settings.tools();
        Connection c;
        if (database.kind() == DatabaseSettings.Kind.H2) {
            c = H2Database.openExisting(database);
        } else {
            PostgresDatabase.requireTool(tools.pgDump(), "certwright.backup.pg-dump");
            try {
                c = database.connect();
            } catch (SQLException e) {
                throw PostgresDatabase.unreachable(database, e);
            }
        }
        try (c) {
            BackupWriter.write(c, new BackupWriter.Source(database, tools, "offline", settings.get("certwright.ca-config")), file, passphrase, random,
                    clock, backupId);
        } catch (SQLException e) {
            throw new BackupException(BackupException.Type.FAILED, "cannot close the database: " + e.getMessage(), e);
        }
    }

    // --- restore ---

    private void restore(Options options) {
        Path archive = options.path("in");
        Path dataDir = options.path("data-dir");
        char[] passphrase = passphrase();
        CommandSettings settings = options.commandSettings();
        DatabaseSettings database = settings.database();
        BackupProperties tools = settings.tools();
        if (RestoreMarker.pending(dataDir)) {
            throw new BackupException(BackupException.Type.TARGET_NOT_EMPTY, dataDir + " holds a restore that waits for its node's first start ("
                    + RestoreMarker.FILE + "): start that node, or choose another --data-dir");
        }
        char[] caPassphrase = caPassphrase(dataDir).orElseThrow(() -> new BackupException(BackupException.Type.BAD_REQUEST,
                "a restore needs the CA passphrase the node will start with: set " + CA_PASSPHRASE + " (or put it in " + dataDir.resolve(CA_PASSPHRASE_FILE)
                        + "); the restore is recorded under it"));
        // The target is checked before anything is read or written: a restore never touches a database that exists.
        if (database.kind() == DatabaseSettings.Kind.H2) {
            H2Database.requireAbsent(database);
        } else {
            PostgresDatabase.requireTool(tools.pgRestore(), "certwright.backup.pg-restore");
            PostgresDatabase.requireEmpty(database);
        }
        String restoreId = UUID.randomUUID().toString();
        Path work;
        try {
            work = BackupArchive.workDirectory(dataDir.resolve("restore"), "work-" + restoreId);
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "cannot write into " + dataDir + ": " + e.getMessage(), e);
        }
        try {
            BackupArchive.Contents contents = BackupArchive.read(archive, passphrase, work);
            BackupManifest manifest = BackupManifest.parse(contents.manifest(), archive.toString());
            if (manifest.kind() != database.kind()) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, archive + " holds a" + (manifest.kind() == DatabaseSettings.Kind.H2 ? "n H2"
                        : " PostgreSQL") + " database and the settings name a" + (database.kind() == DatabaseSettings.Kind.H2 ? "n H2" : " PostgreSQL")
                        + " one: restore into the kind of database the backup came from");
            }
            if (contents.keystore() != null) {
                requireOpens(contents.keystore(), caPassphrase);
            }
            if (database.kind() == DatabaseSettings.Kind.H2) {
                H2Database.restore(database, contents.database());
            } else {
                PostgresDatabase.restore(database, tools, contents.database());
            }
            RestoreMarker marker = new RestoreMarker(restoreId, manifest.backupId(), manifest.takenAt(), manifest.certwrightVersion(),
                    manifest.database(), manifest.schemaVersion(), manifest.mode(), clock.instant(), restoredBy(), restoredHeads(database));
            marker.write(dataDir, caPassphrase, random);
            out.println("restored backup " + manifest.backupId() + " (taken at " + manifest.takenAt() + ", " + manifest.database() + ", schema "
                    + manifest.schemaVersion() + ", " + manifest.counts().get("certificates") + " certificates) into " + database.databaseName());
            out.println("start the node with certwright.data-dir=" + dataDir + " and the same CA passphrase: its first start records the restore in"
                    + " the audit log. What happened after " + manifest.takenAt() + " is not in this database.");
            String configured = BackupWriter.caConfigSha256(settings.get("certwright.ca-config"));
            if (manifest.caConfigSha256() != null && configured != null && !configured.equals(manifest.caConfigSha256())) {
                out.println("note: " + settings.get("certwright.ca-config") + " differs from the CA configuration the backup was taken with (SHA-256 "
                        + manifest.caConfigSha256() + ")");
            }
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.FAILED, "cannot write the restore's record into " + dataDir + ": " + e.getMessage(), e);
        } finally {
            deleteTree(work);
        }
    }

    /** The heads of the audit chains as loaded, which the restore statement will name. */
    private static List<dev.certwright.audit.Checkpoint.Head> restoredHeads(DatabaseSettings database) {
        try (Connection c = database.connect()) {
            return SnapshotFacts.auditHeads(c);
        } catch (SQLException e) {
            throw new BackupException(BackupException.Type.FAILED, "the restored database cannot be read: " + e.getMessage(), e);
        }
    }

    /** The CA passphrase must open the keystore in the backup, or the restored node could not start. */
    private static void requireOpens(byte[] keystore, char[] caPassphrase) {
        try {
            KeyStore.getInstance("PKCS12").load(new java.io.ByteArrayInputStream(keystore), caPassphrase);
        } catch (IOException e) {
            if (e.getCause() instanceof UnrecoverableKeyException) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, "the CA passphrase (" + CA_PASSPHRASE + ", or " + CA_PASSPHRASE_FILE
                        + ") does not open the CA keystore in this backup: the restored node could not start with it");
            }
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, "the CA keystore in this backup cannot be read: " + e.getMessage(), e);
        } catch (java.security.GeneralSecurityException e) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, "the CA keystore in this backup cannot be read: " + e.getMessage(), e);
        }
    }

    private char[] passphrase() {
        String value = environment.get(BACKUP_PASSPHRASE);
        if (value == null || value.isEmpty()) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, BACKUP_PASSPHRASE + " is not set: the archive's passphrase comes from it");
        }
        if (value.length() < MIN_PASSPHRASE) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, BACKUP_PASSPHRASE + " must be at least " + MIN_PASSPHRASE + " characters long");
        }
        return value.toCharArray();
    }

    private Optional<char[]> caPassphrase(Path dataDir) {
        String value = environment.get(CA_PASSPHRASE);
        if (value != null && !value.isEmpty()) {
            return Optional.of(value.toCharArray());
        }
        Path file = dataDir.resolve(CA_PASSPHRASE_FILE);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim().toCharArray()) : Optional.empty();
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static String restoredBy() {
        String user = System.getProperty("user.name", "unknown");
        try {
            return user + "@" + InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return user;
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            // A decrypted dump left in a 0700 directory; said so, to be removed by hand.
            System.err.println("certwright restore: could not remove " + root + " (" + e.getMessage() + "); remove it by hand");
        }
    }
}
