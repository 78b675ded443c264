package dev.certwright.acme.store;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.function.Supplier;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.platform.Timestamps;

/**
 * RFC 8555 §6.5 nonces, accepted exactly once by any node sharing the database. A nonce is base64url of 16 random
 * bytes, its expiry (epoch seconds, 4 bytes) and the first 16 bytes of an HMAC-SHA256 over both, keyed with a secret
 * derived from the key-encryption key (the same on every node). Handing one out writes nothing. Redeeming checks the
 * HMAC and the expiry, then inserts the nonce into {@code acme_nonce_redeemed}: only the first insert succeeds.
 */
@Component
public class NonceStore {

    /**
     * Long enough for a client that pauses between requests (certbot's manual mode waits for its user); short enough
     * that the redeemed nonces kept until their expiry stay few. A client holding an older one gets badNonce and a fresh
     * nonce with it, and retries (RFC 8555 §6.5).
     */
    static final Duration LIFETIME = Duration.ofMinutes(15);
    private static final int RANDOM_BYTES = 16;
    private static final int EXPIRY_BYTES = 4;
    private static final int MAC_BYTES = 16;
    private static final int LENGTH = RANDOM_BYTES + EXPIRY_BYTES + MAC_BYTES;
    private static final int ENCODED_LENGTH = 48; // base64url of 36 bytes, no padding

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random;
    private final Supplier<byte[]> keySource;
    private volatile SecretKeySpec key;

    @Autowired
    NonceStore(JdbcClient jdbc, Clock clock, SecureRandom random, CertificateAuthority ca) {
        this(jdbc, clock, random, () -> ca.deriveSecret("acme-nonce", "v1"));
    }

    NonceStore(JdbcClient jdbc, Clock clock, SecureRandom random, Supplier<byte[]> keySource) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.random = random;
        this.keySource = keySource;
    }

    public String issue() {
        ByteBuffer nonce = ByteBuffer.allocate(LENGTH);
        byte[] bits = new byte[RANDOM_BYTES];
        random.nextBytes(bits);
        nonce.put(bits).putInt((int) clock.instant().plus(LIFETIME).getEpochSecond());
        nonce.put(mac(nonce.array()), 0, MAC_BYTES);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(nonce.array());
    }

    /** True exactly once for a nonce we issued that has not expired. */
    public boolean redeem(String nonce) {
        if (nonce == null || nonce.length() != ENCODED_LENGTH) {
            return false;
        }
        byte[] bytes;
        try {
            bytes = Base64.getUrlDecoder().decode(nonce);
        } catch (IllegalArgumentException e) {
            return false;
        }
        if (bytes.length != LENGTH || !MessageDigest.isEqual(Arrays.copyOf(mac(bytes), MAC_BYTES),
                Arrays.copyOfRange(bytes, LENGTH - MAC_BYTES, LENGTH))) {
            return false;
        }
        Instant expires = Instant.ofEpochSecond(Integer.toUnsignedLong(ByteBuffer.wrap(bytes).getInt(RANDOM_BYTES)));
        if (!expires.isAfter(clock.instant())) {
            return false;
        }
        // 48 characters carry exactly 36 bytes, so each nonce has one spelling and the row is keyed by it.
        return jdbc.sql("INSERT INTO acme_nonce_redeemed (nonce, expires_at) VALUES (:v, :e) ON CONFLICT DO NOTHING")
                .param("v", nonce).param("e", Timestamps.of(expires)).update() == 1;
    }

    /** A redeemed nonce past its expiry fails the expiry check before it is looked up, so its row can go. */
    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
    void purgeExpired() {
        jdbc.sql("DELETE FROM acme_nonce_redeemed WHERE expires_at <= :now").param("now", Timestamps.of(clock.instant())).update();
    }

    /** The HMAC over the random bytes and the expiry (the first 20 bytes of {@code nonce}). */
    private byte[] mac(byte[] nonce) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key());
            mac.update(nonce, 0, RANDOM_BYTES + EXPIRY_BYTES);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    private SecretKeySpec key() {
        SecretKeySpec current = key;
        if (current == null) {
            // Derived once the CA is installed; before that, deriving throws and nothing is cached.
            current = new SecretKeySpec(keySource.get(), "HmacSHA256");
            key = current;
        }
        return current;
    }
}
