package dev.certwright.backup.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

import dev.certwright.audit.Checkpoint;
import dev.certwright.platform.StartupException;
import tools.jackson.databind.JsonNode;

/**
 * What a restore leaves for the restored node's first start, in {@code <data-dir>/}{@value #FILE} (0600): which backup was
 * restored, when, by whom, and the audit heads as loaded. The node records it in the audit log and publishes the signed
 * restore statement (decision 69), then removes the file.
 * <p>
 * The file is authenticated with HMAC-SHA256 under a key derived from the CA passphrase (PBKDF2-HMAC-SHA256, RFC 8018
 * §5.2, a random salt and as many iterations as the keystore uses, so the file is no cheaper a way to guess the
 * passphrase than the keystore). Whoever can write the data directory or the database but does not hold the CA
 * passphrase cannot make a node bless a rollback of their own as a restore.
 */
public record RestoreMarker(String restoreId, String backupId, Instant backupTakenAt, String certwrightVersion, String database,
        String schemaVersion, String mode, Instant restoredAt, String restoredBy, List<Checkpoint.Head> heads) {

    public static final String FILE = "restore/pending.json";
    private static final String LABEL = "certwright-restore-marker-v1\n";
    private static final int ITERATIONS = BackupArchive.ITERATIONS;

    /** Writes the marker into {@code dataDir}, authenticated under the CA passphrase. */
    public void write(Path dataDir, char[] caPassphrase, SecureRandom random) throws IOException {
        Map<String, Object> statement = new LinkedHashMap<>();
        statement.put("restoreId", restoreId);
        statement.put("backupId", backupId);
        statement.put("backupTakenAt", backupTakenAt.toString());
        statement.put("certwrightVersion", certwrightVersion);
        statement.put("database", database);
        statement.put("schemaVersion", schemaVersion);
        statement.put("mode", mode);
        statement.put("restoredAt", restoredAt.toString());
        statement.put("restoredBy", restoredBy);
        statement.put("heads", heads);
        String text = BackupManifest.JSON.writeValueAsString(statement);
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("statement", text);
        file.put("salt", Base64.getEncoder().encodeToString(salt));
        file.put("iterations", ITERATIONS);
        file.put("mac", HexFormat.of().formatHex(mac(caPassphrase, salt, ITERATIONS, text)));
        Path target = dataDir.resolve(FILE);
        Files.createDirectories(target.getParent(), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path partial = target.resolveSibling("pending.json.part");
        Files.deleteIfExists(partial);
        Files.createFile(partial, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(partial, BackupManifest.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(file));
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Whether a restore into {@code dataDir} waits for the node's first start. */
    public static boolean pending(Path dataDir) {
        return Files.exists(dataDir.resolve(FILE));
    }

    /**
     * The marker in {@code dataDir}, if any, checked against the CA passphrase the node started with. A marker that does
     * not verify stops the start, with one sentence: it was not written by a restore with this passphrase.
     */
    public static Optional<RestoreMarker> read(Path dataDir, char[] caPassphrase) {
        Path path = dataDir.resolve(FILE);
        if (!Files.isRegularFile(path)) {
            return Optional.empty();
        }
        String problem = path + " was not written by a restore with the CA passphrase this node starts with: if this node was restored,"
                + " restore it again with that passphrase; otherwise remove the file";
        try {
            JsonNode file = BackupManifest.JSON.readTree(Files.readAllBytes(path));
            String text = file.path("statement").asString("");
            byte[] salt = Base64.getDecoder().decode(file.path("salt").asString(""));
            int iterations = file.path("iterations").asInt(0);
            if (salt.length < 16 || iterations < ITERATIONS
                    || !MessageDigest.isEqual(mac(caPassphrase, salt, iterations, text), HexFormat.of().parseHex(file.path("mac").asString("")))) {
                throw new StartupException(problem);
            }
            JsonNode s = BackupManifest.JSON.readTree(text);
            List<Checkpoint.Head> heads = BackupManifest.heads(s.path("heads"));
            return Optional.of(new RestoreMarker(s.path("restoreId").asString(), s.path("backupId").asString(),
                    Instant.parse(s.path("backupTakenAt").asString()), s.path("certwrightVersion").asString(""), s.path("database").asString(""),
                    s.path("schemaVersion").asString(""), s.path("mode").asString(""), Instant.parse(s.path("restoredAt").asString()),
                    s.path("restoredBy").asString(""), heads));
        } catch (StartupException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new StartupException(problem + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Removes the marker once the node has recorded the restore. */
    public static void remove(Path dataDir) throws IOException {
        Files.deleteIfExists(dataDir.resolve(FILE));
    }

    private static byte[] mac(char[] passphrase, byte[] salt, int iterations, String text) {
        try {
            byte[] key = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(new PBEKeySpec(passphrase, salt, iterations, 256))
                    .getEncoded();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal((LABEL + text).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot compute the restore marker's MAC", e);
        }
    }
}
