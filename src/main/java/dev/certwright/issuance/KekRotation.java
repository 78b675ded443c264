package dev.certwright.issuance;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.ca.CaKeystore;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.issuance.internal.KeyCensus;
import dev.certwright.issuance.internal.StoredKeystore;
import dev.certwright.keys.KekIds;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.keys.WrappedKeyStore;
import dev.certwright.platform.JobRuns;
import dev.certwright.policy.IssuancePolicy;

/**
 * KEK rotation (decision 68): a new key-encryption key becomes the one every node wraps new keys under, and the
 * {@code kek-rewrap} job moves every stored key to it, in batches, resumably. The new KEK is stored in the CA keystore's
 * row in one transaction with the rotation row and its audit entry; the keystore's other entries are copied unchanged.
 * Old KEKs stay in the keystore: a key that names one keeps unwrapping, and the first one is the root of the derived
 * secrets.
 * <p>
 * With ca-config's {@code keyStore.kek: token}, the new KEK is an AES-256 key generated in the PKCS#11 token instead,
 * sensitive and never extractable, and the keystore row is left as it is: the rotation row names it, and every node
 * finds it in the token by its label ({@code certwright:kek-<n>}). It is generated while the rotation row is locked, so
 * that two nodes never make one id twice; a token KEK left by a rotation that was not recorded (a node stopped before
 * its commit) keeps its id, which the next rotation skips.
 */
@Component
public class KekRotation {

    /** The rewrap job's Quartz key, which a rotation fires at once. */
    public static final String JOB_GROUP = "issuance";
    public static final String JOB_NAME = "kek-rewrap";

    private static final Logger log = LoggerFactory.getLogger(KekRotation.class);

    private final StoredKeystore stored;
    private final CertificateAuthority ca;
    private final IssuancePolicy policy;
    private final KeyWrapping keys;
    private final List<WrappedKeyStore> stores;
    private final TransactionTemplate transactions;
    private final AuditLog audit;
    private final JobRuns jobs;
    private final Clock clock;
    private final SecureRandom random;

    KekRotation(StoredKeystore stored, KeyWrapping keys, List<WrappedKeyStore> stores, TransactionTemplate transactions, AuditLog audit, JobRuns jobs,
            Clock clock, SecureRandom random, CertificateAuthority ca, IssuancePolicy policy) {
        this.ca = ca;
        this.policy = policy;
        this.stored = stored;
        this.keys = keys;
        this.stores = List.copyOf(stores);
        this.transactions = transactions;
        this.audit = audit;
        this.jobs = jobs;
        this.clock = clock;
        this.random = random;
    }

    /**
     * Starts a rotation: a new KEK ({@code kek-<n+1>}) in the stored keystore, current for every new wrap from the
     * commit on, and the re-wrapping job fired. Refused (409) while a rotation is re-wrapping, and when another node
     * changed the keystore or rotated first.
     */
    public KekStatus rotate(String actor) {
        StoredKeystore.Rotation before = stored.rotation();
        if (before.state() == StoredKeystore.RotationState.REWRAPPING) {
            throw running(before);
        }
        stored.refresh(); // this node holds the stored keystore's KEKs, so the next id is the keystore's next
        if (policy.configuration().keyStore().kekInToken()) {
            return rotateIntoToken(before, actor);
        }
        StoredKeystore.Row row = stored.read();
        String kekId = nextId(before.kekId());
        SecretKey kek = newKek();
        // The slow part (the keystore's PBKDF2) before the transaction, so that wraps wait on the rotation row only briefly.
        CaKeystore next = stored.withKek(row, kekId, kek, random);
        KeyCensus census = KeyCensus.of(stores);
        transactions.executeWithoutResult(tx -> {
            StoredKeystore.Rotation locked = stored.lockRotation();
            if (locked.state() == StoredKeystore.RotationState.REWRAPPING) {
                throw running(locked);
            }
            if (!locked.kekId().equals(before.kekId()) || !stored.replace(next.bytes(), row.version())) {
                throw new IssuanceException(IssuanceException.Type.KEK_ROTATION_RUNNING,
                        "the CA keystore changed while this rotation was prepared (another node rotated or changed it); ask again");
            }
            stored.startRotation(kekId, actor, clock.instant());
            audit.append(actor, "kek.rotation-started", "kek", kekId, "from=" + before.kekId() + " keys=" + census.notUnder(kekId) + " ("
                    + census.otherThan(kekId) + ")");
        });
        // Only now, committed: a KEK installed before the commit could wrap keys that nobody else could read.
        keys.install(Map.of(kekId, kek));
        stored.writeBackup(next.bytes());
        log.info("KEK rotation to {} started by {}: {} stored keys to re-wrap", kekId, actor, census.notUnder(kekId));
        if (!jobs.runNow(JOB_GROUP, JOB_NAME)) {
            log.warn("the {} job is not scheduled; the keys are re-wrapped when it runs", JOB_NAME);
        }
        return status();
    }

    /**
     * A rotation to a KEK generated in the token. The keystore row is not rewritten: the rotation row names the new KEK,
     * and the token holds it.
     */
    private KekStatus rotateIntoToken(StoredKeystore.Rotation before, String actor) {
        java.security.Provider provider = ca.tokenProvider().orElseThrow(() -> new IssuanceException(IssuanceException.Type.CA_REFUSED,
                "keyStore.kek is token, and no token is open: ca-config's keyStore must be of type pkcs11"));
        KeyCensus census = KeyCensus.of(stores);
        String[] kekId = new String[1];
        SecretKey[] made = new SecretKey[1];
        boolean[] recorded = new boolean[1];
        try {
            transactions.executeWithoutResult(tx -> {
                StoredKeystore.Rotation locked = stored.lockRotation();
                if (locked.state() == StoredKeystore.RotationState.REWRAPPING) {
                    throw running(locked);
                }
                if (!locked.kekId().equals(before.kekId())) {
                    throw new IssuanceException(IssuanceException.Type.KEK_ROTATION_RUNNING,
                            "another node rotated the key-encryption key while this rotation was prepared; ask again");
                }
                // Under the rotation row's lock: no other node makes a KEK now, so the id is free on every node.
                kekId[0] = nextId(locked.kekId());
                made[0] = ca.generateTokenKeyEncryptionKey(kekId[0]);
                stored.startRotation(kekId[0], actor, clock.instant());
                audit.append(actor, "kek.rotation-started", "kek", kekId[0], "from=" + before.kekId() + " location=token keys="
                        + census.notUnder(kekId[0]) + " (" + census.otherThan(kekId[0]) + ")");
                recorded[0] = true; // what fails after this is the commit itself, whose outcome is unknown here
            });
        } catch (RuntimeException e) {
            if (made[0] != null && !recorded[0]) {
                try {
                    ca.deleteTokenKeyEncryptionKey(kekId[0]);
                } catch (RuntimeException cleanup) {
                    log.warn("the token KEK {} of a rotation that was not recorded stays in the token ({}); it wraps nothing", kekId[0],
                            cleanup.getMessage());
                }
            }
            throw e;
        }
        keys.installTokenKeys(Map.of(kekId[0], made[0]), provider);
        log.info("KEK rotation to {} in {} started by {}: {} stored keys to re-wrap", kekId[0], ca.tokenDescription().orElseThrow(), actor,
                census.notUnder(kekId[0]));
        if (!jobs.runNow(JOB_GROUP, JOB_NAME)) {
            log.warn("the {} job is not scheduled; the keys are re-wrapped when it runs", JOB_NAME);
        }
        return status();
    }

    /**
     * The id the next KEK gets: one above every KEK this node holds, every one in the token (one a rotation left there
     * without recording it included: its id is skipped) and the cluster's current one.
     */
    private String nextId(String clusterKek) {
        java.util.Set<String> ids = new java.util.HashSet<>(keys.keyEncryptionKeyIds());
        ids.addAll(ca.tokenKeyEncryptionKeys().keySet());
        ids.add(clusterKek);
        return KekIds.next(ids);
    }

    /** The current KEK, the last rotation and the keys per KEK, as stored (the same answer on every node). */
    public KekStatus status() {
        StoredKeystore.Rotation rotation = stored.rotation();
        stored.refresh(); // so that the list names every KEK the stored keystore holds
        KeyCensus census = KeyCensus.of(stores);
        Map<String, Long> byKek = census.byKek();
        TreeSet<String> ids = new TreeSet<>(java.util.Comparator.comparing(KekRotation::number).thenComparing(s -> s));
        ids.addAll(keys.keyEncryptionKeyIds());
        ids.addAll(byKek.keySet());
        List<KekStatus.Kek> keks = new ArrayList<>();
        for (String id : ids) {
            keks.add(new KekStatus.Kek(id, byKek.getOrDefault(id, 0L), id.equals(rotation.kekId()),
                    id.equals(KekIds.FIRST), keys.inToken(id) ? "token" : "keystore"));
        }
        return new KekStatus(rotation.kekId(), rotation.state().name(), rotation.requestedBy(), rotation.startedAt(), rotation.finishedAt(),
                rotation.rewrapped(), census.notUnder(rotation.kekId()), rotation.unreadable(), List.copyOf(keks));
    }

    private static int number(String id) {
        return KekIds.number(id).orElse(Integer.MAX_VALUE);
    }

    private static IssuanceException running(StoredKeystore.Rotation rotation) {
        return new IssuanceException(IssuanceException.Type.KEK_ROTATION_RUNNING, "a KEK rotation to " + rotation.kekId()
                + " is re-wrapping the stored keys (started " + rotation.startedAt() + "); ask again when GET /api/v1/kek says COMPLETED");
    }

    private SecretKey newKek() {
        try {
            KeyGenerator generator = KeyGenerator.getInstance("AES");
            generator.init(256, random);
            return generator.generateKey();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot make an AES-256 key", e);
        }
    }
}
