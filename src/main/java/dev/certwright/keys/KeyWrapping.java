package dev.certwright.keys;

import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import javax.crypto.SecretKey;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.certwright.keys.internal.AesGcmWrap;
import dev.certwright.keys.internal.KeyEncryptionKey;

/**
 * Private keys kept in the database, encrypted with AES-256-GCM under a key-encryption key. {@code context} (such as
 * the certificate row's id) is bound as additional authenticated data, so a wrapped key moved to another row will not
 * unwrap. Each stored key names the KEK that wrapped it ({@link Wrapped#kekId()}): new wraps use the current KEK, and
 * an unwrap uses whichever KEK the row names, before, during and after a rotation (decision 68). Whoever opens the CA
 * keystore {@link #install installs} its KEKs first. A KEK may also be kept in a PKCS#11 token
 * ({@link #installTokenKeys}): the same AES-256-GCM, in the same stored format, then runs in the token, whose key never
 * leaves it; the derived secrets stay with {@code kek-1}, the keystore's.
 */
@Component
public class KeyWrapping {

    private final KeyEncryptionKey kek;
    private final SecureRandom random;
    private final ObjectProvider<KeyEncryptionKeySource> source;

    /** Spring's; public for tests of the modules that implement the {@link KeyEncryptionKeySource}. */
    @Autowired
    public KeyWrapping(KeyEncryptionKey kek, SecureRandom random, ObjectProvider<KeyEncryptionKeySource> source) {
        this.kek = kek;
        this.random = random;
        this.source = source;
    }

    /** Without a source: the KEKs installed are all there are (tests of this module). */
    KeyWrapping(KeyEncryptionKey kek, SecureRandom random) {
        this(kek, random, null);
    }

    /** Makes the first key-encryption key of the opened CA keystore current on this node. */
    public void install(SecretKey keyEncryptionKey) {
        kek.install(keyEncryptionKey);
    }

    /**
     * Adds the KEKs of the opened CA keystore, by alias ({@code kek-1}, {@code kek-2}, ...); the newest becomes the one
     * new wraps use. Other secret-key entries are ignored, and no KEK this node holds is dropped.
     */
    public void install(Map<String, SecretKey> keyEncryptionKeys) {
        kek.install(keyEncryptionKeys);
    }

    /**
     * Adds KEKs kept in a PKCS#11 token, by id ({@code kek-2}, ...), with the token's provider, which alone can use them.
     * The newest KEK this node then holds, in the keystore or the token, is the one new wraps use.
     */
    public void installTokenKeys(Map<String, SecretKey> keyEncryptionKeys, java.security.Provider provider) {
        kek.install(keyEncryptionKeys, java.util.Objects.requireNonNull(provider, "a token KEK needs its token's provider"));
    }

    /** Whether this node holds the KEK with this id in a PKCS#11 token (false for the keystore's, and for one it lacks). */
    public boolean inToken(String kekId) {
        return kek.held(kekId).map(KeyEncryptionKey.Kek::inToken).orElse(false);
    }

    /** Whether the KEK is installed (the CA keystore has been opened). */
    public boolean installed() {
        return kek.installed();
    }

    /**
     * Encrypts a private key (PKCS#8) under the current KEK, bound to {@code context}. Call it in the transaction that
     * stores the result: the current KEK is checked against the stored keystore there (see {@link KeyEncryptionKeySource#beforeWrap()}).
     */
    public Wrapped wrap(PrivateKey key, String context) {
        sourced().ifPresent(KeyEncryptionKeySource::beforeWrap);
        KeyEncryptionKey.Current current = kek.current();
        return new Wrapped(current.id(), AesGcmWrap.wrap(current.key(), current.provider(), key, context, random));
    }

    /** Reverses {@link #wrap} with the KEK the stored key names; fails (KeyException KEY_WRAP) if the bytes or the context were altered. */
    public PrivateKey unwrap(String kekId, byte[] wrapped, String context) {
        KeyEncryptionKey.Kek named = named(kekId);
        return AesGcmWrap.unwrap(named.key(), named.provider(), wrapped, context);
    }

    /**
     * The same key wrapped under the current KEK, for a rotation: unwrapped with the KEK it names and wrapped again
     * with a fresh IV and the same context. The key's bytes never leave this module.
     */
    public Wrapped rewrap(String kekId, byte[] wrapped, String context) {
        KeyEncryptionKey.Kek from = named(kekId);
        KeyEncryptionKey.Current current = kek.current();
        return new Wrapped(current.id(), AesGcmWrap.rewrap(from.key(), from.provider(), current.key(), current.provider(), wrapped, context, random));
    }

    /** The id of the KEK new wraps use on this node. */
    public String currentKeyEncryptionKeyId() {
        return kek.current().id();
    }

    /** The ids of the KEKs this node holds, in name order. */
    public Set<String> keyEncryptionKeyIds() {
        return new TreeSet<>(kek.ids());
    }

    /** The KEK a stored key names; a rotation on another node may have made one this node has not loaded yet. */
    private KeyEncryptionKey.Kek named(String kekId) {
        Optional<KeyEncryptionKey.Kek> key = kek.held(kekId);
        if (key.isEmpty()) {
            sourced().ifPresent(s -> s.refresh(kekId));
            key = kek.held(kekId);
        }
        return key.orElseThrow(() -> new KeyException(KeyException.Type.KEY_WRAP,
                "a stored key names key-encryption key '" + kekId + "', which neither the CA keystore nor a configured token holds"));
    }

    private Optional<KeyEncryptionKeySource> sourced() {
        return source == null ? Optional.empty() : Optional.ofNullable(source.getIfAvailable());
    }

    /** A wrapped key and the id of the KEK that wrapped it, to be stored together. */
    public record Wrapped(String kekId, byte[] bytes) {

        @Override
        public String toString() {
            return "Wrapped[" + kekId + ", " + bytes.length + " bytes]";
        }
    }
}
