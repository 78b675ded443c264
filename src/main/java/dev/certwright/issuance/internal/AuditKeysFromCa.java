package dev.certwright.issuance.internal;

import java.nio.ByteBuffer;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.certwright.audit.AuditKeys;
import dev.certwright.ca.CertificateAuthority;

/**
 * The audit log's keys, derived from the CA's key-encryption key (as the ACME EAB and nonce secrets are): the same on
 * every node that opened the CA, never stored. Issuance provides them because it opens the CA; {@code audit} depends on
 * nothing but {@code platform}.
 */
@Component
class AuditKeysFromCa implements AuditKeys {

    private final CertificateAuthority ca;

    AuditKeysFromCa(CertificateAuthority ca) {
        this.ca = ca;
    }

    @Override
    public Optional<byte[]> chainKey() {
        return ca.installed() ? Optional.of(ca.deriveSecret("audit-chain", "v1")) : Optional.empty();
    }

    @Override
    public Optional<byte[]> checkpointSeed() {
        if (!ca.installed()) {
            return Optional.empty();
        }
        // 512 bits: two derivations, so that the P-256 scalar reduced from them is uniform to within 2^-256.
        return Optional.of(ByteBuffer.allocate(64).put(ca.deriveSecret("audit-checkpoint", "v1-a"))
                .put(ca.deriveSecret("audit-checkpoint", "v1-b")).array());
    }
}
