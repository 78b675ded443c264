package dev.certwright.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hashes of the audit chains, shared by the log and the offline verifier. Scheme 1 (entries written before the chains
 * were keyed) is SHA-256 over the previous hash and the entry's fields. Scheme 2 adds a label and the chain number to
 * what is hashed, and an HMAC-SHA256 of the hash under the chain key; the hash stays publicly recomputable, so that a
 * copy of the log can be checked against signed checkpoints without the key, and the MAC makes a rewrite inside the
 * database detectable by whoever holds the key.
 */
final class ChainHashes {

    static final String GENESIS = "0".repeat(64);
    static final int LEGACY = 1;
    static final int KEYED = 2;

    private ChainHashes() {
    }

    /** Scheme 1: the hash of entries written before the chains were keyed. */
    static String legacy(String prev, Instant at, String actor, String action, String type, String subject, String details) {
        return sha256(prev, at.toString(), actor, action, type, subject, details);
    }

    /** Scheme 2: the hash of a keyed entry (its MAC is {@link #entryMac}). */
    static String keyed(int chain, String prev, Instant at, String actor, String action, String type, String subject, String details) {
        return sha256("certwright-audit-v2", Integer.toString(chain), prev, at.toString(), actor, action, type, subject, details);
    }

    static String hash(int scheme, int chain, String prev, Instant at, String actor, String action, String type, String subject,
            String details) {
        return scheme == LEGACY ? legacy(prev, at, actor, action, type, subject, details)
                : keyed(chain, prev, at, actor, action, type, subject, details);
    }

    /** The MAC of a keyed entry: it covers the entry's hash, hence its fields and everything before it in its chain. */
    static String entryMac(byte[] key, int chain, String hash) {
        return hmac(key, "certwright-audit-entry", Integer.toString(chain), hash);
    }

    /**
     * The MAC of a chain's head: its last entry, its length, and the last entry written before the chain was keyed, so
     * that neither cutting entries off the end nor relabelling keyed entries as legacy ones goes unseen.
     */
    static String headMac(byte[] key, int chain, long lastId, String lastHash, long entries, long keyedAfter) {
        return hmac(key, "certwright-audit-head", Integer.toString(chain), Long.toString(lastId), lastHash, Long.toString(entries),
                Long.toString(keyedAfter));
    }

    private static String sha256(String... fields) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String field : fields) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed, so that no two different field lists hash alike.
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hmac(byte[] key, String... fields) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            for (String field : fields) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                mac.update(bytes);
            }
            return HexFormat.of().formatHex(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Compares two hex strings in constant time. */
    static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.US_ASCII), b.getBytes(StandardCharsets.US_ASCII));
    }
}
