package dev.certwright.issuance.internal;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.ca.CaKeystore;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.keys.KekIds;
import dev.certwright.keys.KeyEncryptionKeySource;
import dev.certwright.keys.KeyException;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.platform.DataDirectory;
import dev.certwright.platform.Timestamps;

/**
 * The CA keystore's row and the KEK rotation's row, and how a node keeps its key-encryption keys those of the stored
 * keystore (decision 68). The rotation row names the cluster's current KEK; a node compares it with its own before each
 * wrap and when a stored key names a KEK it lacks, and loads the stored keystore's KEKs when they differ: one open of the
 * keystore (one PBKDF2) per rotation and node. A KEK kept in the PKCS#11 token ({@code keyStore.kek: token}) is not in
 * the keystore: the token's KEKs are looked at first, those up to the cluster's current one only, since a token KEK
 * above it was made by a rotation that was never recorded and wraps nothing.
 */
@Component
public class StoredKeystore implements KeyEncryptionKeySource {

    private static final Logger log = LoggerFactory.getLogger(StoredKeystore.class);

    private final JdbcClient jdbc;
    private final KeyWrapping keys;
    private final CaBootstrap bootstrap;
    private final DataDirectory dataDirectory;
    private final DataSource dataSource;
    private final CertificateAuthority ca;
    /** The lock a wrap takes on the rotation row; chosen on first use, from the database's name. */
    private volatile String wrapLock;

    StoredKeystore(JdbcClient jdbc, KeyWrapping keys, CaBootstrap bootstrap, DataDirectory dataDirectory, DataSource dataSource,
            CertificateAuthority ca) {
        this.jdbc = jdbc;
        this.ca = ca;
        this.keys = keys;
        this.bootstrap = bootstrap;
        this.dataDirectory = dataDirectory;
        this.dataSource = dataSource;
    }

    /** The stored keystore and the version its compare-and-set checks. */
    public record Row(byte[] keystore, long version) {

        @Override
        public String toString() {
            return "Row[version " + version + ", " + keystore.length + " bytes, encrypted]";
        }
    }

    /** The rotation row: the cluster's current KEK and what its rotation has done. */
    public record Rotation(String kekId, RotationState state, String requestedBy, Instant startedAt, Instant finishedAt, long rewrapped,
            long unreadable) {
    }

    /** Where a rotation is. */
    public enum RotationState {
        /** The first KEK was never replaced. */
        NONE,
        /** Stored keys are being re-wrapped under {@link Rotation#kekId()}. */
        REWRAPPING,
        /** Every key that could be unwrapped is under {@link Rotation#kekId()}. */
        COMPLETED
    }

    public Row read() {
        return jdbc.sql("SELECT keystore, version FROM ca_keystore WHERE id = 1").query((rs, i) -> new Row(rs.getBytes(1), rs.getLong(2)))
                .optional().orElseThrow(() -> new IllegalStateException("the CA keystore row is missing"));
    }

    /** Stores a rewritten keystore if the row is still at {@code version}; false when another node changed it meanwhile. */
    public boolean replace(byte[] keystore, long version) {
        return jdbc.sql("UPDATE ca_keystore SET keystore = :ks, version = version + 1 WHERE id = 1 AND version = :v")
                .param("ks", keystore).param("v", version).update() == 1;
    }

    /** The stored keystore with one more KEK, its other entries unchanged (decision 68); not stored yet. */
    public CaKeystore withKek(Row row, String kekId, javax.crypto.SecretKey kek, java.security.SecureRandom random) {
        return CaKeystore.of(row.keystore()).withSecretKey(kekId, kek, bootstrap.existingPassphrase(), random);
    }

    public Rotation rotation() {
        return readRotation("");
    }

    /** The rotation row, locked until the transaction ends: rotations and re-wrapping batches take their turn on it. */
    public Rotation lockRotation() {
        return readRotation(" FOR UPDATE");
    }

    private Rotation readRotation(String lock) {
        return jdbc.sql("SELECT kek_id, state, requested_by, started_at, finished_at, rewrapped, unreadable FROM kek_rotation WHERE id = 1" + lock)
                .query((rs, i) -> new Rotation(rs.getString(1), RotationState.valueOf(rs.getString(2)), rs.getString(3),
                        Timestamps.read(rs, "started_at"), Timestamps.read(rs, "finished_at"), rs.getLong(6), rs.getLong(7)))
                .optional().orElseThrow(() -> new IllegalStateException("the kek_rotation row is missing (migration V25)"));
    }

    public void startRotation(String kekId, String actor, Instant now) {
        jdbc.sql("UPDATE kek_rotation SET kek_id = :kek, state = 'REWRAPPING', requested_by = :actor, started_at = :now, finished_at = NULL, "
                        + "rewrapped = 0, unreadable = 0 WHERE id = 1")
                .param("kek", kekId).param("actor", actor).param("now", Timestamps.of(now)).update();
    }

    public void addRewrapped(int count) {
        jdbc.sql("UPDATE kek_rotation SET rewrapped = rewrapped + :n WHERE id = 1").param("n", count).update();
    }

    public void complete(Instant now, long unreadable) {
        jdbc.sql("UPDATE kek_rotation SET state = 'COMPLETED', finished_at = :now, unreadable = :u WHERE id = 1")
                .param("now", Timestamps.of(now)).param("u", unreadable).update();
    }

    /**
     * Locks the rotation row for share (PostgreSQL) until the wrapping transaction ends, so that a rotation, which
     * updates the row, commits either before this wrap looks (and the wrap uses the new KEK) or after the wrapped key is
     * stored (and the re-wrapping finds it). H2 has no shared row lock; it is one process, and the exclusive lock
     * serialises only its own wraps for the length of their transactions.
     */
    @Override
    public void beforeWrap() {
        String current = jdbc.sql("SELECT kek_id FROM kek_rotation WHERE id = 1" + wrapLock()).query(String.class).optional()
                .orElseThrow(() -> new IllegalStateException("the kek_rotation row is missing (migration V25)"));
        loadIfBehind(current);
    }

    /** Makes this node hold the cluster's current KEK (and every older one the stored keystore has, if it was behind). */
    public void refresh() {
        loadIfBehind(rotation().kekId());
    }

    /**
     * A stored key names {@code kekId}, which this node lacks: the token's KEKs up to the cluster's current one first,
     * then, if it is still missing, the stored keystore's. Both, because a node that missed a keystore rotation
     * ({@code kek-4}) and a token one ({@code kek-5}) reaches the cluster's KEK from the token alone.
     */
    @Override
    public void refresh(String kekId) {
        if (keys.keyEncryptionKeyIds().contains(kekId)) {
            return;
        }
        synchronized (this) {
            if (keys.keyEncryptionKeyIds().contains(kekId)) {
                return; // another thread loaded it meanwhile
            }
            loadTokenKeks(rotation().kekId());
            if (!keys.keyEncryptionKeyIds().contains(kekId)) {
                loadStoredKeks();
            }
        }
    }

    /** Loads the stored keystore's KEKs when the cluster's current KEK is not this node's. */
    private void loadIfBehind(String clusterKek) {
        if (clusterKek.equals(keys.currentKeyEncryptionKeyId())) {
            return;
        }
        synchronized (this) {
            if (clusterKek.equals(keys.currentKeyEncryptionKeyId())) {
                return; // another thread loaded them meanwhile
            }
            // The token's first: cheap to list, where the keystore costs a PBKDF2.
            loadTokenKeks(clusterKek);
            if (!clusterKek.equals(keys.currentKeyEncryptionKeyId())) {
                loadStoredKeks();
            }
            if (!clusterKek.equals(keys.currentKeyEncryptionKeyId())) {
                // Wrapping under another KEK than the cluster's would leave the key behind the rotation: refuse instead.
                throw new KeyException(KeyException.Type.KEY_WRAP, "the cluster's current key-encryption key " + clusterKek
                        + " is neither in the CA keystore nor in " + ca.tokenDescription().orElse("a token (ca-config has no keyStore of type pkcs11)")
                        + "; this node wraps no key until it can use it");
            }
        }
    }

    /** Installs the stored keystore's KEKs (one PBKDF2) and keeps the node's copy of the keystore in step. */
    private void loadStoredKeks() {
        Row row = read();
        keys.install(CaKeystore.of(row.keystore()).keyEncryptionKeys(bootstrap.existingPassphrase()));
        log.info("loaded the key-encryption keys {} of the stored CA keystore (version {}); {} wraps new keys", keys.keyEncryptionKeyIds(),
                row.version(), keys.currentKeyEncryptionKeyId());
        writeBackup(row.keystore());
    }

    /**
     * The token's KEKs whose number is at most the cluster's current KEK's: the ones rotations recorded. One above it was
     * made by a rotation that never committed, and is never installed (it wraps nothing, and is never made current).
     */
    public static Map<String, javax.crypto.SecretKey> tokenKeksUpTo(CertificateAuthority ca, String clusterKek) {
        int limit = KekIds.number(clusterKek).orElse(0);
        Map<String, javax.crypto.SecretKey> inToken = new TreeMap<>();
        ca.tokenKeyEncryptionKeys().forEach((id, key) -> {
            if (KekIds.number(id).orElse(Integer.MAX_VALUE) <= limit) {
                inToken.put(id, key);
            }
        });
        return inToken;
    }

    /** Installs the token's KEKs up to {@code clusterKek}, with the token's provider; nothing without a token. */
    private void loadTokenKeks(String clusterKek) {
        Map<String, javax.crypto.SecretKey> inToken = tokenKeksUpTo(ca, clusterKek);
        if (!inToken.isEmpty()) {
            keys.installTokenKeys(inToken, ca.tokenProvider().orElseThrow());
            log.info("loaded the key-encryption keys {} of {}; {} wraps new keys", inToken.keySet(), ca.tokenDescription().orElseThrow(),
                    keys.currentKeyEncryptionKeyId());
        }
    }

    /** The node's copy of the keystore, so that it holds every KEK the stored one does. */
    public void writeBackup(byte[] keystore) {
        try {
            dataDirectory.replacePrivateFile(dev.certwright.issuance.CaHierarchy.KEYSTORE_BACKUP, keystore);
        } catch (RuntimeException e) {
            log.warn("could not write the keystore backup {}: {}", dataDirectory.resolve(dev.certwright.issuance.CaHierarchy.KEYSTORE_BACKUP), e.getMessage());
        }
    }

    private String wrapLock() {
        String lock = wrapLock;
        if (lock == null) {
            try (var connection = dataSource.getConnection()) {
                lock = "PostgreSQL".equals(connection.getMetaData().getDatabaseProductName()) ? " FOR SHARE" : " FOR UPDATE";
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot read the database's name", e);
            }
            wrapLock = lock;
        }
        return lock;
    }
}
