package dev.certwright.acme.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.platform.SingleProcessDatabase;
import dev.certwright.support.MigratedH2;
import dev.certwright.support.MutableClock;

/**
 * Self-authenticating nonces: accepted once, by any store with the same key; forged, altered or expired ones never. The
 * single-process store (embedded H2) keeps the same promises in memory, and refuses what another process handed out.
 */
class NonceStoreTest {

    static final Instant T0 = Instant.parse("2026-12-02T04:00:00Z");

    JdbcClient jdbc;
    byte[] key = new byte[32];

    @BeforeEach
    void migrate() {
        jdbc = JdbcClient.create(MigratedH2.create("nonces"));
        new SecureRandom().nextBytes(key);
    }

    NonceStore store(Instant now, byte[] secret) {
        return new NonceStore(jdbc, Clock.fixed(now, ZoneOffset.UTC), new SecureRandom(), () -> secret.clone());
    }

    @Test
    void aNonceIsAcceptedOnceAndIssuingWritesNothing() {
        NonceStore nonces = store(T0, key);
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            issued.add(nonces.issue());
        }
        assertThat(new HashSet<>(issued)).hasSize(100);
        assertThat(issued).allSatisfy(n -> assertThat(n).hasSize(48).matches("[A-Za-z0-9_-]+"));
        assertThat(rows()).isZero();
        assertThat(nonces.redeem(issued.get(0))).isTrue();
        assertThat(nonces.redeem(issued.get(0))).as("replayed").isFalse();
        assertThat(nonces.redeem(issued.get(1))).isTrue();
        assertThat(rows()).isEqualTo(2);
    }

    @Test
    void anotherNodeWithTheSameKeyAcceptsItOnceAndAnotherKeyNever() {
        String nonce = store(T0, key).issue();
        assertThat(store(T0, new byte[32]).redeem(nonce)).as("another key").isFalse();
        assertThat(store(T0, key).redeem(nonce)).as("another node, same key").isTrue();
        assertThat(store(T0, key).redeem(nonce)).as("a third node after it").isFalse();
    }

    @Test
    void anAlteredOrMalformedNonceIsRefusedWithoutAnError() {
        NonceStore nonces = store(T0, key);
        String nonce = nonces.issue();
        byte[] bytes = Base64.getUrlDecoder().decode(nonce);
        for (int i = 0; i < bytes.length; i++) {
            byte[] altered = bytes.clone();
            altered[i] ^= 1;
            assertThat(nonces.redeem(Base64.getUrlEncoder().withoutPadding().encodeToString(altered))).as("byte %d flipped", i).isFalse();
        }
        for (String bad : new String[] {null, "", "abc", nonce + "A", nonce.substring(1), nonce.substring(0, 47) + "=", "!".repeat(48),
                "x".repeat(10_000)}) {
            assertThat(nonces.redeem(bad)).as("%s", bad).isFalse();
        }
        assertThat(rows()).isZero();
        assertThat(nonces.redeem(nonce)).as("the original is still good").isTrue();
    }

    @Test
    void aNonceExpiresAfterItsLifetimeAndExpiredRowsArePurged() {
        String early = store(T0, key).issue();
        String late = store(T0, key).issue();
        Instant justBefore = T0.plus(NonceStore.LIFETIME).minusSeconds(1);
        assertThat(store(justBefore, key).redeem(early)).isTrue();
        assertThat(store(T0.plus(NonceStore.LIFETIME), key).redeem(late)).as("at its expiry").isFalse();
        store(T0.plus(NonceStore.LIFETIME).plus(Duration.ofMinutes(5)), key).purgeExpired();
        assertThat(rows()).isZero();
        assertThat(store(T0.plus(NonceStore.LIFETIME).plus(Duration.ofMinutes(5)), key).redeem(early)).as("expired, row purged").isFalse();
    }

    @Test
    void concurrentRedeemersOfOneNonceHaveExactlyOneWinner() throws Exception {
        String nonce = store(T0, key).issue();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> store(T0, key).redeem(nonce)));
            }
            int winners = 0;
            for (Future<Boolean> result : results) {
                winners += result.get() ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        }
    }

    NonceStore inMemory(Clock clock) {
        return new NonceStore(jdbc, clock, new SecureRandom(), null);
    }

    @Test
    void theSingleProcessStoreAcceptsANonceOnceAndWritesNothing() {
        NonceStore nonces = inMemory(Clock.fixed(T0, ZoneOffset.UTC));
        assertThat(nonces.keptInMemory()).isTrue();
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            issued.add(nonces.issue());
        }
        for (String nonce : issued) {
            assertThat(nonces.redeem(nonce)).isTrue();
        }
        assertThat(issued).allSatisfy(n -> assertThat(nonces.redeem(n)).as("replayed").isFalse());
        assertThat(rows()).isZero();
        byte[] bytes = Base64.getUrlDecoder().decode(nonces.issue());
        bytes[3] ^= 1;
        assertThat(nonces.redeem(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes))).as("altered").isFalse();
    }

    @Test
    void aNonceFromBeforeARestartIsRefusedByTheNextProcess() {
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        String before = inMemory(clock).issue();
        NonceStore after = inMemory(clock);
        assertThat(after.redeem(before)).isFalse();
        assertThat(after.redeem(after.issue())).isTrue();
    }

    @Test
    void theSingleProcessStoreExpiresAndPurgesOnlyWhatExpired() {
        MutableClock clock = new MutableClock(T0);
        NonceStore nonces = inMemory(clock);
        String early = nonces.issue();
        clock.set(T0.plusSeconds(60));
        String late = nonces.issue();
        String lateRedeemed = nonces.issue();
        assertThat(nonces.redeem(early)).isTrue();
        assertThat(nonces.redeem(lateRedeemed)).isTrue();
        clock.set(T0.plus(NonceStore.LIFETIME));
        assertThat(nonces.redeem(early)).as("at its expiry").isFalse();
        assertThat(nonces.redeem(late)).as("a minute left").isTrue();
        nonces.purgeExpired();
        assertThat(nonces.redeemedInMemory()).as("the early one went").isEqualTo(2);
        assertThat(nonces.redeem(lateRedeemed)).as("replayed after the purge").isFalse();
        clock.set(T0.plus(NonceStore.LIFETIME).plusSeconds(60));
        nonces.purgeExpired();
        assertThat(nonces.redeemedInMemory()).isZero();
        assertThat(rows()).isZero();
    }

    @Test
    void concurrentRedeemersInOneProcessHaveExactlyOneWinner() throws Exception {
        NonceStore nonces = inMemory(Clock.fixed(T0, ZoneOffset.UTC));
        for (int round = 0; round < 50; round++) {
            String nonce = nonces.issue();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<Boolean>> results = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    results.add(pool.submit(() -> nonces.redeem(nonce)));
                }
                int winners = 0;
                for (Future<Boolean> result : results) {
                    winners += result.get() ? 1 : 0;
                }
                assertThat(winners).isEqualTo(1);
            }
        }
    }

    @Test
    void onlyAnEmbeddedH2IsTakenForASingleProcess() {
        assertThat(SingleProcessDatabase.is("jdbc:h2:file:/var/lib/certwright/db/certwright;MODE=PostgreSQL;AUTO_SERVER=FALSE")).isTrue();
        assertThat(SingleProcessDatabase.is("jdbc:h2:mem:test;DB_CLOSE_DELAY=-1")).isTrue();
        assertThat(SingleProcessDatabase.is("jdbc:h2:file:./data/db;AUTO_SERVER=TRUE")).isFalse();
        assertThat(SingleProcessDatabase.is("jdbc:h2:file:./data/db;auto_server = true")).isFalse();
        assertThat(SingleProcessDatabase.is("jdbc:h2:tcp://db.internal/certwright")).isFalse();
        assertThat(SingleProcessDatabase.is("jdbc:postgresql://db.internal:5432/certwright")).isFalse();
        assertThat(SingleProcessDatabase.is((String) null)).isFalse();
    }

    int rows() {
        return jdbc.sql("SELECT COUNT(*) FROM acme_nonce_redeemed").query(Integer.class).single();
    }
}
