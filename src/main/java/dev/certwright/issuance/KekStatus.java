package dev.certwright.issuance;

import java.time.Instant;
import java.util.List;

/**
 * The key-encryption keys as an administrator sees them (decision 68): the cluster's current KEK, its rotation, and
 * how many stored keys each KEK wraps. Never a key.
 *
 * @param currentKekId the KEK every new wrap uses, on every node
 * @param state NONE (never rotated), REWRAPPING (stored keys are being moved to the current KEK) or COMPLETED
 * @param requestedBy who asked for the last rotation; null if none
 * @param startedAt when the last rotation started; null if none
 * @param finishedAt when it completed; null while it runs
 * @param rewrapped how many keys the last rotation has re-wrapped so far
 * @param keysLeft how many stored keys still name an older KEK
 * @param unreadable how many keys a completed rotation could not unwrap and left under their KEK (0 normally)
 * @param keks every KEK the keystore holds or a stored key names, oldest first
 */
public record KekStatus(String currentKekId, String state, String requestedBy, Instant startedAt, Instant finishedAt, long rewrapped,
        long keysLeft, long unreadable, List<Kek> keks) {

    /**
     * One KEK.
     *
     * @param id its id, as stored beside each key it wraps
     * @param keys how many stored keys it wraps
     * @param current whether new wraps use it
     * @param derivesSecrets whether the derived secrets (ACME nonces and EAB, the audit chain and checkpoint keys) come from it
     * @param location {@code keystore} (a secret-key entry of the CA keystore) or {@code token} (an AES key in the
     *        PKCS#11 token, which never leaves it); a KEK that a stored key names and this node does not hold shows as
     *        {@code keystore}
     */
    public record Kek(String id, long keys, boolean current, boolean derivesSecrets, String location) {
    }
}
