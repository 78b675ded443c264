package dev.certwright.keys.internal;

import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.certwright.audit.AuditKeys;
import dev.certwright.keys.DerivedSecrets;

/** The audit log's keys (decision 45), derived from the key-encryption key; empty while the CA keystore is not open. */
@Component
class AuditKeysFromKek implements AuditKeys {

    private final DerivedSecrets secrets;

    AuditKeysFromKek(DerivedSecrets secrets) {
        this.secrets = secrets;
    }

    @Override
    public Optional<byte[]> chainKey() {
        return secrets.available() ? Optional.of(secrets.auditChainKey()) : Optional.empty();
    }

    @Override
    public Optional<byte[]> checkpointSeed() {
        return secrets.available() ? Optional.of(secrets.auditCheckpointSeed()) : Optional.empty();
    }
}
