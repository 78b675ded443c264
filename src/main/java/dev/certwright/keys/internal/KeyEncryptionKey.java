package dev.certwright.keys.internal;

import java.security.Provider;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import javax.crypto.SecretKey;

import org.springframework.stereotype.Component;

import dev.certwright.keys.KeyException;
import dev.certwright.keys.KekIds;

/**
 * The key-encryption keys of this node, in memory only, once the CA keystore has been opened: every KEK the keystore
 * holds, by id, since a stored key names the KEK that wrapped it and must unwrap whichever that is, and the KEKs kept in
 * a PKCS#11 token, each a handle with the token's provider (its value never leaves the token). The newest is the one new
 * wraps use; {@link KekIds#FIRST}, always the keystore's, is the one the secrets are derived from (decision 68).
 */
@Component
public class KeyEncryptionKey {

    /** One consistent view: the keys and the current one are replaced together, never one without the other. */
    private record Installed(Map<String, Kek> byId, String currentId) {
    }

    private volatile Installed installed;

    /** Installs the first KEK alone (a keystore that was never rotated, and tests). */
    public void install(SecretKey first) {
        install(Map.of(KekIds.FIRST, first));
    }

    /**
     * Adds these KEKs of the CA keystore to the ones this node holds. Nothing is dropped: a request that read a row
     * before a rotation re-wrapped it may still unwrap it with the KEK it names. Entries that are not KEK ids are ignored.
     */
    public synchronized void install(Map<String, SecretKey> keys) {
        install(keys, null);
    }

    /**
     * Adds KEKs that only {@code provider} can use (a PKCS#11 token's; null for the keystore's). A token KEK is never
     * {@link KekIds#FIRST}, the root of the derived secrets, which is the keystore's; and a KEK this node holds from the
     * keystore is not replaced by a token key of the same id.
     */
    public synchronized void install(Map<String, SecretKey> keys, Provider provider) {
        Map<String, Kek> merged = new TreeMap<>(installed == null ? Map.of() : installed.byId());
        keys.forEach((id, key) -> {
            if (KekIds.number(id).isEmpty()) {
                return;
            }
            if (provider != null) {
                if (KekIds.FIRST.equals(id)) {
                    throw new KeyException(KeyException.Type.KEY_WRAP, KekIds.FIRST + " is the CA keystore's, the root of the derived secrets; a token holds later KEKs only");
                }
                Kek held = merged.get(id);
                if (held != null && held.provider() == null) {
                    return; // the keystore's KEK of this id is the one its rows name
                }
            }
            merged.put(id, new Kek(key, provider));
        });
        if (!merged.containsKey(KekIds.FIRST)) {
            throw new KeyException(KeyException.Type.NOT_INSTALLED, "the CA keystore holds no " + KekIds.FIRST);
        }
        installed = new Installed(Map.copyOf(merged), KekIds.newest(merged.keySet()).orElseThrow());
    }

    public boolean installed() {
        return installed != null;
    }

    /** The KEK new wraps use, with its id; NOT_INSTALLED while the CA keystore has not been opened. */
    public Current current() {
        Installed now = require();
        Kek kek = now.byId().get(now.currentId());
        return new Current(now.currentId(), kek.key(), kek.provider());
    }

    /** The KEK with this id, if this node holds it. */
    public Optional<SecretKey> find(String id) {
        return held(id).map(Kek::key);
    }

    /** The KEK with this id and the provider that uses it, if this node holds it. */
    public Optional<Kek> held(String id) {
        return Optional.ofNullable(require().byId().get(id));
    }

    /** The ids of the KEKs this node holds. */
    public Set<String> ids() {
        return require().byId().keySet();
    }

    /** The KEK the secrets are derived from: always the first, the keystore's (decision 68). */
    public SecretKey derivationRoot() {
        return require().byId().get(KekIds.FIRST).key();
    }

    private Installed require() {
        Installed now = installed;
        if (now == null) {
            throw new KeyException(KeyException.Type.NOT_INSTALLED, "the CA is not installed yet");
        }
        return now;
    }

    /**
     * A KEK and the provider that can use it.
     *
     * @param provider a PKCS#11 token's provider, or null for a key of the CA keystore (the JDK's providers use it)
     */
    public record Kek(SecretKey key, Provider provider) {

        /** Whether the KEK is kept in a PKCS#11 token. */
        public boolean inToken() {
            return provider != null;
        }

        @Override
        public String toString() {
            return "Kek[" + (provider == null ? "keystore" : provider.getName()) + "]"; // never the key
        }
    }

    /** A KEK and its id, read together. */
    public record Current(String id, SecretKey key, Provider provider) {

        @Override
        public String toString() {
            return "Current[" + id + "]"; // never the key
        }
    }
}
