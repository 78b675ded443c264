package dev.certwright.audit;

import java.util.Optional;

/**
 * Where the audit log's secrets come from. They are derived from the CA's key-encryption key by the {@code keys}
 * module, so they are the same on every node, held only in memory, and never stored in the database: whoever
 * can rewrite the database cannot recompute the chains' MACs nor sign a checkpoint.
 */
public interface AuditKeys {

    /** The 32-byte HMAC-SHA256 key of the chains, or empty while the CA is not open. */
    Optional<byte[]> chainKey();

    /** At least 48 bytes of secret from which the checkpoint signing key (P-256) is derived, or empty while the CA is not open. */
    Optional<byte[]> checkpointSeed();
}
