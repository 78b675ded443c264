package dev.certwright.backup.internal;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.certwright.audit.Checkpoint;
import dev.certwright.backup.BackupException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The archive's {@code manifest.json}: what the backup is, read before anything is restored. Figures come from the
 * snapshot the dump was made from, so they describe exactly what is in it.
 *
 * @param formatVersion the archive format ({@value #FORMAT_VERSION}); a reader refuses a newer one
 * @param backupId a random id, named by the restore's audit entry
 * @param certwrightVersion the version that made it
 * @param takenAt when it was taken: before the snapshot began, so that everything it holds happened before this time
 * @param mode {@code offline} (the command read the database itself) or {@code server} (a running node streamed it)
 * @param database the database kind ({@code h2}, {@code postgresql})
 * @param databaseProduct the product and version the dump was made by
 * @param schemaVersion the newest Flyway migration applied (flyway_schema_history)
 * @param caConfig the CA configuration file the node used (certwright.ca-config), and its SHA-256 (null when unreadable)
 * @param crlNumbers the last CRL number each issuer had published (RFC 5280 §5.2.3)
 * @param counts rows of the main tables
 * @param auditHeads the audit chains' heads in the snapshot
 */
public record BackupManifest(int formatVersion, String backupId, String certwrightVersion, Instant takenAt, String mode, String database,
        String databaseProduct, String schemaVersion, String caConfig, String caConfigSha256, Map<String, Long> crlNumbers,
        Map<String, Long> counts, List<Checkpoint.Head> auditHeads) {

    public static final String FORMAT = "certwright-backup";
    public static final int FORMAT_VERSION = 1;
    static final JsonMapper JSON = JsonMapper.builder().build();

    public DatabaseSettings.Kind kind() {
        return DatabaseSettings.Kind.of(database);
    }

    public byte[] json() {
        Map<String, Object> tree = new LinkedHashMap<>();
        tree.put("format", FORMAT);
        tree.put("formatVersion", formatVersion);
        tree.put("backupId", backupId);
        tree.put("certwrightVersion", certwrightVersion);
        tree.put("takenAt", takenAt.toString());
        tree.put("mode", mode);
        Map<String, Object> db = new LinkedHashMap<>();
        db.put("kind", database);
        db.put("product", databaseProduct);
        db.put("schemaVersion", schemaVersion);
        db.put("member", kind().member());
        tree.put("database", db);
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("file", caConfig);
        config.put("sha256", caConfigSha256);
        tree.put("caConfig", config);
        tree.put("caKeys", "the CA keystore row of the database (an encrypted PKCS#12, also as " + BackupArchive.KEYSTORE
                + "); keys held in an HSM are references there, not keys. The CA passphrase is not in this archive.");
        tree.put("crlNumbers", crlNumbers);
        tree.put("counts", counts);
        tree.put("auditHeads", auditHeads);
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(tree).getBytes(StandardCharsets.UTF_8);
    }

    /** Audit heads as JSON writes them (a record's fields). */
    static List<Checkpoint.Head> heads(JsonNode array) {
        List<Checkpoint.Head> heads = new ArrayList<>();
        for (JsonNode head : array) {
            heads.add(new Checkpoint.Head(head.path("chain").asInt(), head.path("lastId").asLong(), head.path("entries").asLong(),
                    head.path("lastHash").asString("")));
        }
        return heads;
    }

    /** Reads a manifest, refusing what is not one, or one of a newer format. */
    public static BackupManifest parse(byte[] bytes, String name) {
        JsonNode tree;
        try {
            tree = JSON.readTree(bytes);
        } catch (RuntimeException e) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (its manifest is not JSON)", e);
        }
        if (!FORMAT.equals(tree.path("format").asString(""))) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (its manifest is not one)");
        }
        int version = tree.path("formatVersion").asInt(0);
        if (version < 1 || version > FORMAT_VERSION) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is in backup format " + version + "; this Certwright reads format "
                    + FORMAT_VERSION + " (restore it with the version that made it, " + tree.path("certwrightVersion").asString("unknown") + ")");
        }
        try {
            Map<String, Long> crlNumbers = new LinkedHashMap<>();
            tree.path("crlNumbers").properties().forEach(e -> crlNumbers.put(e.getKey(), e.getValue().asLong()));
            Map<String, Long> counts = new LinkedHashMap<>();
            tree.path("counts").properties().forEach(e -> counts.put(e.getKey(), e.getValue().asLong()));
            List<Checkpoint.Head> heads = heads(tree.path("auditHeads"));
            JsonNode db = tree.path("database");
            JsonNode config = tree.path("caConfig");
            BackupManifest manifest = new BackupManifest(version, tree.path("backupId").asString(""), tree.path("certwrightVersion").asString(""),
                    Instant.parse(tree.path("takenAt").asString()), tree.path("mode").asString(""), db.path("kind").asString(""),
                    db.path("product").asString(""), db.path("schemaVersion").asString(""), config.path("file").asString(null),
                    config.path("sha256").isString() ? config.path("sha256").asString() : null, crlNumbers, counts, heads);
            manifest.kind();
            if (manifest.backupId().isEmpty()) {
                throw new IllegalArgumentException("no backupId");
            }
            return manifest;
        } catch (BackupException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " has a manifest this version cannot read (" + e.getMessage() + ")", e);
        }
    }
}
