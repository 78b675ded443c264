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
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import javax.sql.DataSource;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.keys.DerivedSecrets;
import dev.certwright.platform.SingleProcessDatabase;
import dev.certwright.platform.Timestamps;

/**
 * RFC 8555 §6.5 nonces, accepted exactly once by any node sharing the database. A nonce is base64url of 16 random
 * bytes, its expiry (epoch seconds, 4 bytes) and the first 16 bytes of an HMAC-SHA256 over both. Handing one out writes
 * nothing. Redeeming checks the HMAC and the expiry, then records the nonce as redeemed: only the first record succeeds.
 * <ul>
 * <li>Shared database (PostgreSQL, the clustered case): the HMAC key is derived from the key-encryption key, the same on
 * every node, and the record is an insert into {@code acme_nonce_redeemed}.</li>
 * <li>Embedded H2 (file or memory, no AUTO_SERVER): only this process can open the database, so no other node can
 * redeem. The record is kept in memory and the HMAC key is random per process, so a nonce handed out before a restart
 * is refused after it (badNonce; the client retries with the fresh nonce it gets). The insert was 6 % of the ACME
 * server's CPU on H2 (decision 41).</li>
 * </ul>
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
    /** Redeemed nonces of a single-process database, by their random bytes; null when they go to the database. */
    private final Set<Redeemed> redeemedHere;

    @Autowired
    NonceStore(JdbcClient jdbc, DataSource dataSource, Clock clock, SecureRandom random, DerivedSecrets secrets) {
        this(jdbc, clock, random, SingleProcessDatabase.is(dataSource) ? null : secrets::acmeNonceKey);
    }

    /** {@code keySource} null: the single-process store, with a random key and the redeemed nonces in memory. */
    NonceStore(JdbcClient jdbc, Clock clock, SecureRandom random, Supplier<byte[]> keySource) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.random = random;
        if (keySource == null) {
            byte[] processKey = new byte[32];
            random.nextBytes(processKey);
            this.keySource = processKey::clone;
            this.redeemedHere = ConcurrentHashMap.newKeySet();
        } else {
            this.keySource = keySource;
            this.redeemedHere = null;
        }
    }

    /** Whether redeemed nonces are kept in this process (single-process H2) rather than in the database. */
    boolean keptInMemory() {
        return redeemedHere != null;
    }

    /** How many redeemed nonces this process keeps (0 when they go to the database). */
    int redeemedInMemory() {
        return redeemedHere == null ? 0 : redeemedHere.size();
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
        if (redeemedHere != null) {
            // The random bytes name the nonce: the HMAC binds them to one expiry, so no second nonce carries them.
            ByteBuffer read = ByteBuffer.wrap(bytes);
            return redeemedHere.add(new Redeemed(read.getLong(0), read.getLong(8), expires.getEpochSecond()));
        }
        // 48 characters carry exactly 36 bytes, so each nonce has one spelling and the row is keyed by it.
        return jdbc.sql("INSERT INTO acme_nonce_redeemed (nonce, expires_at) VALUES (:v, :e) ON CONFLICT DO NOTHING")
                .param("v", nonce).param("e", Timestamps.of(expires)).update() == 1;
    }

    /** A redeemed nonce past its expiry fails the expiry check before it is looked up, so its row can go. */
    @Scheduled(fixedDelayString = "PT1M", initialDelayString = "PT1M")
    void purgeExpired() {
        if (redeemedHere != null) {
            long now = clock.instant().getEpochSecond();
            redeemedHere.removeIf(r -> r.expires() <= now);
            return;
        }
        jdbc.sql("DELETE FROM acme_nonce_redeemed WHERE expires_at <= :now").param("now", Timestamps.of(clock.instant())).update();
    }

    /** A nonce redeemed in this process: its 16 random bytes (the identity) and its expiry (for the purge). */
    private record Redeemed(long high, long low, long expires) {

        @Override
        public boolean equals(Object other) {
            return other instanceof Redeemed r && r.high == high && r.low == low;
        }

        @Override
        public int hashCode() {
            return Long.hashCode(high) * 31 + Long.hashCode(low);
        }
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
