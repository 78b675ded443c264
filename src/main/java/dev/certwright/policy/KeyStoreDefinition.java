package dev.certwright.policy;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.certwright.policy.internal.CaConfigException;

/**
 * Where issuer keys are kept: ca-config's {@code keyStore} section. {@code type: software} (the default, the same as no
 * section) keeps them in the encrypted PKCS#12 in the database; {@code type: pkcs11} in a PKCS#11 token (an HSM, or SoftHSM2 in the tests) reached through the JDK's SunPKCS11
 * provider. The token is named by its label or by its numeric slot id, and the user PIN is read from the environment
 * variable {@code pinEnv} when the token is opened; the PIN itself is never part of the configuration.
 *
 * <pre>
 * keyStore:
 *   type: pkcs11
 *   library: /usr/lib/softhsm/libsofthsm2.so
 *   tokenLabel: certwright-ca        # or slot: 1764567890
 *   pinEnv: CERTWRIGHT_HSM_PIN
 *   kek: token                       # optional: keystore (the default) or token
 * </pre>
 *
 * {@code kek} says where a new key-encryption key for the keys Certwright stores wrapped (managed certificates' keys,
 * OCSP responders' keys, the SSH identity) is made: in the CA keystore ({@code keystore}), or in the token as an AES-256
 * key that never leaves it ({@code token}, only with {@code type: pkcs11}). It applies to the KEK made when the CA is
 * created and to each KEK rotation; the derived secrets stay derived from {@code kek-1} in the keystore either way.
 *
 * The record lives in {@code policy} because the configuration the loader produces does; {@code ca} opens it. Every
 * error is one sentence naming the key, such as {@code keyStore.library /x.so does not exist}; the loader puts the
 * file's name in front of it, as it does for its own errors.
 *
 * @param type the kind of key store
 * @param library the PKCS#11 module, an absolute path
 * @param tokenLabel the token's label (CK_TOKEN_INFO.label, PKCS#11 v2.40 §3.2), or null when {@code slot} names it
 * @param slot the slot id (CK_SLOT_ID, PKCS#11 v2.40 §3.2), or null when {@code tokenLabel} names it
 * @param pinEnv the name of the environment variable that holds the user PIN
 * @param kek where new key-encryption keys are made
 */
public record KeyStoreDefinition(Type type, Path library, String tokenLabel, Long slot, String pinEnv, KekLocation kek) {

    /** The kinds of key store. */
    public enum Type {
        /** The encrypted PKCS#12 in the database. */
        SOFTWARE,
        /** A PKCS#11 token through SunPKCS11. */
        PKCS11
    }

    /** Where new key-encryption keys are made. */
    public enum KekLocation {
        /** A secret-key entry of the CA keystore, the encrypted PKCS#12 in the database. */
        KEYSTORE,
        /** An AES-256 secret key object in the token: sensitive, never extractable, encrypt and decrypt only. */
        TOKEN
    }

    /** The default: keys in the encrypted PKCS#12 in the database. */
    public static final KeyStoreDefinition SOFTWARE = new KeyStoreDefinition(Type.SOFTWARE, null, null, null, null, KekLocation.KEYSTORE);

    /** PKCS#11 v2.40 §3.2: CK_TOKEN_INFO.label is 32 bytes of UTF-8, padded with blanks. */
    static final int MAX_LABEL_BYTES = 32;

    public KeyStoreDefinition {
        if (type == null) {
            throw fail("keyStore.type", "is required: software or pkcs11");
        }
        kek = kek == null ? KekLocation.KEYSTORE : kek;
        if (type == Type.SOFTWARE) {
            if (library != null || tokenLabel != null || slot != null || pinEnv != null) {
                throw fail("keyStore", "of type software takes no library, token or PIN");
            }
            if (kek == KekLocation.TOKEN) {
                throw fail("keyStore.kek", "token needs a token: keyStore.type pkcs11");
            }
        } else {
            checkPkcs11(library, tokenLabel, slot, pinEnv);
        }
    }

    /** A definition whose new key-encryption keys are made in the CA keystore. */
    public KeyStoreDefinition(Type type, Path library, String tokenLabel, Long slot, String pinEnv) {
        this(type, library, tokenLabel, slot, pinEnv, KekLocation.KEYSTORE);
    }

    private static void checkPkcs11(Path library, String tokenLabel, Long slot, String pinEnv) {
        if (library == null) {
            throw fail("keyStore.library", "is required: the absolute path of the PKCS#11 module (.so)");
        }
        String path = library.toString();
        if (!library.isAbsolute()) {
            // SunPKCS11 itself refuses a relative library (a library search path could load another one).
            throw fail("keyStore.library", "must be an absolute path, not '" + path + "'");
        }
        if (path.contains("${") || path.chars().anyMatch(c -> c < 0x20 || c == 0x7f || c == '"')) {
            // The path goes into SunPKCS11's configuration text, which expands ${property} and ends at a line break.
            throw fail("keyStore.library", "must not contain '${', quotes or control characters");
        }
        if (!Files.isRegularFile(library)) {
            throw fail("keyStore.library", path + " does not exist");
        }
        if (tokenLabel != null && slot != null) {
            throw fail("keyStore.tokenLabel", "and keyStore.slot both name the token; give one of them");
        }
        if (tokenLabel == null && slot == null) {
            throw fail("keyStore.tokenLabel", "or keyStore.slot is required to name the token");
        }
        if (tokenLabel != null) {
            if (tokenLabel.isBlank() || !tokenLabel.equals(tokenLabel.strip())) {
                throw fail("keyStore.tokenLabel", "must be a non-empty label without leading or trailing blanks");
            }
            if (tokenLabel.getBytes(StandardCharsets.UTF_8).length > MAX_LABEL_BYTES) {
                throw fail("keyStore.tokenLabel", "'" + tokenLabel + "' is longer than a token label's " + MAX_LABEL_BYTES + " bytes");
            }
        }
        if (slot != null && slot < 0) {
            throw fail("keyStore.slot", "must be a slot id, a whole number of 0 or more, not " + slot);
        }
        if (pinEnv == null || pinEnv.isBlank()) {
            throw fail("keyStore.pinEnv", "is required: the name of the environment variable that holds the user PIN");
        }
        if (!pinEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw fail("keyStore.pinEnv", "must be the name of an environment variable such as CERTWRIGHT_HSM_PIN, not '" + pinEnv + "'");
        }
    }

    /**
     * The definition from the section's values as the YAML gives them; null where a key is absent.
     *
     * @param type {@code pkcs11}
     * @param slot a whole number (an Integer or a Long, as SnakeYAML reads it), or null
     */
    public static KeyStoreDefinition of(String type, String library, String tokenLabel, Number slot, String pinEnv) {
        return of(type, library, tokenLabel, slot, pinEnv, null);
    }

    /**
     * As {@link #of(String, String, String, Number, String)}, with {@code kek}: {@code keystore} (also when null) or
     * {@code token}.
     */
    public static KeyStoreDefinition of(String type, String library, String tokenLabel, Number slot, String pinEnv, String kek) {
        KekLocation kekLocation = kekLocation(kek);
        if (type == null || type.isBlank()) {
            throw fail("keyStore.type", "is required: software or pkcs11");
        }
        if (type.toLowerCase(Locale.ROOT).equals("software")) {
            if (library != null || tokenLabel != null || slot != null || pinEnv != null) {
                throw fail("keyStore", "of type software takes no library, token or PIN");
            }
            if (kekLocation == KekLocation.TOKEN) {
                throw fail("keyStore.kek", "token needs a token: keyStore.type pkcs11");
            }
            return SOFTWARE;
        }
        if (!type.toLowerCase(Locale.ROOT).equals("pkcs11")) {
            throw fail("keyStore.type", "must be software or pkcs11, not '" + type + "'");
        }
        if (slot != null && !(slot instanceof Integer || slot instanceof Long)) {
            throw fail("keyStore.slot", "must be a slot id, a whole number of 0 or more, not " + slot);
        }
        Path path = null;
        if (library != null && !library.isBlank()) {
            try {
                path = Path.of(library);
            } catch (InvalidPathException e) {
                throw fail("keyStore.library", "'" + library + "' is not a path");
            }
        }
        return new KeyStoreDefinition(Type.PKCS11, path, tokenLabel, slot == null ? null : slot.longValue(), pinEnv, kekLocation);
    }

    private static KekLocation kekLocation(String kek) {
        if (kek == null) {
            return KekLocation.KEYSTORE;
        }
        return switch (kek.strip().toLowerCase(Locale.ROOT)) {
            case "keystore" -> KekLocation.KEYSTORE;
            case "token" -> KekLocation.TOKEN;
            default -> throw fail("keyStore.kek", "must be keystore or token, not '" + kek + "'");
        };
    }

    /** Whether new key-encryption keys are made in the token. */
    public boolean kekInToken() {
        return kek == KekLocation.TOKEN;
    }

    public boolean pkcs11() {
        return type == Type.PKCS11;
    }

    /** The token as messages name it: {@code token 'certwright-ca'} or {@code slot 1764567890}. */
    public String tokenDescription() {
        return tokenLabel != null ? "token '" + tokenLabel + "'" : "slot " + slot;
    }

    private static CaConfigException fail(String key, String problem) {
        return new CaConfigException(key + " " + problem);
    }
}
