package dev.certwright.acme.store;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/**
 * RFC 8555 §6.5 nonces: 128 random bits, base64url, stored so that any node sharing the database accepts one exactly
 * once: redeeming deletes the row, and only the delete that removed it succeeds.
 */
@Component
public class NonceStore {

    static final Duration LIFETIME = Duration.ofHours(1);

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random;

    NonceStore(JdbcClient jdbc, Clock clock, SecureRandom random) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.random = random;
    }

    public String issue() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        String nonce = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        jdbc.sql("INSERT INTO acme_nonce (nonce, expires_at) VALUES (:v, :e)").param("v", nonce)
                .param("e", Timestamps.of(clock.instant().plus(LIFETIME))).update();
        return nonce;
    }

    /** True exactly once for a nonce we issued that has not expired. */
    public boolean redeem(String nonce) {
        if (nonce == null || nonce.length() > 64) {
            return false;
        }
        return jdbc.sql("DELETE FROM acme_nonce WHERE nonce = :v AND expires_at > :now").param("v", nonce)
                .param("now", Timestamps.of(clock.instant())).update() == 1;
    }

    @Scheduled(fixedDelayString = "PT5M", initialDelayString = "PT5M")
    void purgeExpired() {
        jdbc.sql("DELETE FROM acme_nonce WHERE expires_at <= :now").param("now", Timestamps.of(clock.instant())).update();
    }
}
