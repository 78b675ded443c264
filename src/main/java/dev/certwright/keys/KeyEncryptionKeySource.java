package dev.certwright.keys;

/**
 * Where this node's key-encryption keys come from: the CA keystore as stored, which a KEK rotation on any node may have
 * changed (decision 68). Implemented by the module that owns the keystore's row ({@code issuance}); {@link KeyWrapping}
 * asks it before each wrap and when a stored key names a KEK this node does not hold. This module knows no database.
 */
public interface KeyEncryptionKeySource {

    /**
     * Called before a key is wrapped, in the transaction that will store it: makes sure this node wraps under the KEK
     * that is current for the whole cluster, and keeps a rotation from committing until that transaction ends, so that
     * no key is stored under a KEK that a rotation has already replaced (and its re-wrapping already passed).
     */
    void beforeWrap();

    /**
     * A stored key names {@code kekId}, which this node does not hold: load it, from the token or from the stored
     * keystore. Being at the cluster's current KEK is not enough: a node that missed a keystore rotation and then a
     * token one holds the newest KEK after loading the token's, and still lacks the keystore's in between.
     */
    void refresh(String kekId);
}
