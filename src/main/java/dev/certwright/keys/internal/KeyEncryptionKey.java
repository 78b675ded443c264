package dev.certwright.keys.internal;

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
 * holds, by id, since a stored key names the KEK that wrapped it and must unwrap whichever that is. The newest is the
 * one new wraps use; {@link KekIds#FIRST} is the one the secrets are derived from (decision 68).
 */
@Component
public class KeyEncryptionKey {

    /** One consistent view: the keys and the current one are replaced together, never one without the other. */
    private record Installed(Map<String, SecretKey> byId, String currentId) {
    }

    private volatile Installed installed;

    /** Installs the first KEK alone (a keystore that was never rotated, and tests). */
    public void install(SecretKey first) {
        install(Map.of(KekIds.FIRST, first));
    }

    /**
     * Adds these KEKs to the ones this node holds. Nothing is dropped: a request that read a row before a rotation
     * re-wrapped it may still unwrap it with the KEK it names. Entries that are not KEK ids are ignored.
     */
    public synchronized void install(Map<String, SecretKey> keys) {
        Map<String, SecretKey> merged = new TreeMap<>(installed == null ? Map.of() : installed.byId());
        keys.forEach((id, key) -> {
            if (KekIds.number(id).isPresent()) {
                merged.put(id, key);
            }
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
        return new Current(now.currentId(), now.byId().get(now.currentId()));
    }

    /** The KEK with this id, if this node holds it. */
    public Optional<SecretKey> find(String id) {
        return Optional.ofNullable(require().byId().get(id));
    }

    /** The ids of the KEKs this node holds. */
    public Set<String> ids() {
        return require().byId().keySet();
    }

    /** The KEK the secrets are derived from: always the first (decision 68). */
    public SecretKey derivationRoot() {
        return require().byId().get(KekIds.FIRST);
    }

    private Installed require() {
        Installed now = installed;
        if (now == null) {
            throw new KeyException(KeyException.Type.NOT_INSTALLED, "the CA is not installed yet");
        }
        return now;
    }

    /** A KEK and its id, read together. */
    public record Current(String id, SecretKey key) {

        @Override
        public String toString() {
            return "Current[" + id + "]"; // never the key
        }
    }
}
