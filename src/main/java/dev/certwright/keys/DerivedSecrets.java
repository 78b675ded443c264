package dev.certwright.keys;

import java.nio.ByteBuffer;

import org.springframework.stereotype.Component;

import dev.certwright.keys.internal.KeyEncryptionKey;
import dev.certwright.keys.internal.SecretDerivation;

/**
 * The secrets derived from the key-encryption key, one per purpose: the same on every node that opened the CA, held
 * in memory only, never stored. The purpose labels are fixed, because data made with them (nonces in flight, EAB
 * bindings, audit MACs and checkpoints) must keep verifying. For the same reason they are derived from the first KEK,
 * {@code kek-1}, whichever KEK wraps keys now: a KEK rotation leaves them as they were (decision 68).
 */
@Component
public class DerivedSecrets {

    private final KeyEncryptionKey kek;

    DerivedSecrets(KeyEncryptionKey kek) {
        this.kek = kek;
    }

    /** Whether the secrets can be derived yet (the CA keystore has been opened). */
    public boolean available() {
        return kek.installed();
    }

    /** The key that authenticates ACME nonces shared by several nodes. */
    public byte[] acmeNonceKey() {
        return derive("acme-nonce", "v1");
    }

    /** The HMAC key of an External Account Binding (RFC 8555 §7.3.4) for the key id. */
    public byte[] acmeEabKey(String keyId) {
        return derive("acme-eab", keyId);
    }

    /** The 32-byte HMAC-SHA256 key of the audit chains. */
    public byte[] auditChainKey() {
        return derive("audit-chain", "v1");
    }

    /** 512 bits from which the audit checkpoint signing key is derived: two derivations, so the P-256 scalar is uniform to within 2^-256. */
    public byte[] auditCheckpointSeed() {
        return ByteBuffer.allocate(64).put(derive("audit-checkpoint", "v1-a")).put(derive("audit-checkpoint", "v1-b")).array();
    }

    private byte[] derive(String purpose, String context) {
        return SecretDerivation.derive(kek.derivationRoot(), purpose, context);
    }
}
