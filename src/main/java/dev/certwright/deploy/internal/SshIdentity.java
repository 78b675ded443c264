package dev.certwright.deploy.internal;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.keys.KeyWrapping;
import dev.certwright.platform.Timestamps;

/**
 * Certwright's own SSH identity: one Ed25519 key, made by the first node that needs it and shared by all through the
 * database, its private half wrapped under the key-encryption key (AES-256-GCM, bound to the context
 * {@code ssh-identity}). Admins put {@link #publicKeyLine()} in each target's {@code authorized_keys}.
 */
@Component
public class SshIdentity {

    static final String CONTEXT = "ssh-identity";

    private final JdbcClient jdbc;
    private final KeyWrapping keys;
    private final SecureRandom random;
    private final Clock clock;
    private final TransactionTemplate transactions;
    private volatile KeyPair cached;

    SshIdentity(JdbcClient jdbc, KeyWrapping keys, SecureRandom random, Clock clock, TransactionTemplate transactions) {
        this.jdbc = jdbc;
        this.keys = keys;
        this.random = random;
        this.clock = clock;
        this.transactions = transactions;
    }

    /** The public key as an {@code authorized_keys} line: {@code ssh-ed25519 AAAA... certwright}. */
    public String publicKeyLine() {
        return PublicKeyEntry.toString(keyPair().getPublic()) + " certwright";
    }

    /** The key pair, made and stored on first use. */
    KeyPair keyPair() {
        KeyPair pair = cached;
        if (pair == null) {
            synchronized (this) {
                if (cached == null) {
                    cached = loadOrCreate();
                }
                pair = cached;
            }
        }
        return pair;
    }

    private KeyPair loadOrCreate() {
        var stored = load();
        if (stored != null) {
            return stored;
        }
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519", "BC");
            generator.initialize(255, random);
            KeyPair generated = generator.generateKeyPair();
            // Wrapped in the transaction that stores it, so that a KEK rotation cannot commit in between (decision 68).
            transactions.executeWithoutResult(tx -> {
                KeyWrapping.Wrapped wrapped = keys.wrap(generated.getPrivate(), CONTEXT);
                jdbc.sql("INSERT INTO ssh_identity (id, public_key, kek_id, wrapped_key, created_at) VALUES (1, :pub, :kek, :key, :now)")
                        .param("pub", PublicKeyEntry.toString(generated.getPublic()) + " certwright").param("kek", wrapped.kekId())
                        .param("key", wrapped.bytes()).param("now", Timestamps.of(clock.instant())).update();
            });
            return generated;
        } catch (DuplicateKeyException e) {
            return load(); // another node made it a moment ago
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the SSH identity", e);
        }
    }

    private KeyPair load() {
        return jdbc.sql("SELECT public_key, kek_id, wrapped_key FROM ssh_identity WHERE id = 1").query((rs, i) -> {
            try {
                // MINA SSHD signs Ed25519 through Bouncy Castle: the keys are re-read with its provider.
                KeyFactory factory = KeyFactory.getInstance("Ed25519", "BC");
                var privateKey = factory.generatePrivate(new PKCS8EncodedKeySpec(keys.unwrap(rs.getString("kek_id"), rs.getBytes("wrapped_key"), CONTEXT).getEncoded()));
                PublicKey publicKey = PublicKeyEntry.parsePublicKeyEntry(rs.getString("public_key")).resolvePublicKey(null, null, null);
                return new KeyPair(publicKey, privateKey);
            } catch (GeneralSecurityException | java.io.IOException e) {
                throw new IllegalStateException("cannot read the stored SSH identity", e);
            }
        }).optional().orElse(null);
    }
}
