package dev.certwright.acme.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.support.MigratedH2;

/** GCRA buckets: a burst of the limit, then one per interval; the wait is exact; concurrent takers never overdraw. */
class RateLimitStoreTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    JdbcClient jdbc;
    RateLimitStore limits;

    @BeforeEach
    void migrate() {
        DataSource dataSource = MigratedH2.create("limits");
        jdbc = JdbcClient.create(dataSource);
        limits = new RateLimitStore(jdbc, Clock.fixed(T0.plus(Duration.ofDays(2)), ZoneOffset.UTC));
    }

    @Test
    void aBurstOfTheLimitThenOneEveryWindowOverLimit() {
        Duration hour = Duration.ofHours(1);
        for (int i = 0; i < 4; i++) {
            assertThat(limits.take("account:1", 4, hour, T0)).as("token %d of the burst", i).isEmpty();
        }
        // The fifth waits one interval (15 minutes), less the time that has passed.
        assertThat(limits.take("account:1", 4, hour, T0)).contains(Duration.ofMinutes(15));
        assertThat(limits.take("account:1", 4, hour, T0.plus(Duration.ofMinutes(10)))).contains(Duration.ofMinutes(5));
        // A refusal takes nothing.
        assertThat(limits.take("account:1", 4, hour, T0.plus(Duration.ofMinutes(15)))).isEmpty();
        assertThat(limits.take("account:1", 4, hour, T0.plus(Duration.ofMinutes(15)))).contains(Duration.ofMinutes(15));
        // Other buckets are untouched; after a full window the bucket is full again.
        assertThat(limits.take("identifier:a.test", 4, hour, T0)).isEmpty();
        for (int i = 0; i < 4; i++) {
            assertThat(limits.take("account:1", 4, hour, T0.plus(Duration.ofMinutes(75)))).isEmpty();
        }
        assertThat(limits.take("account:1", 4, hour, T0.plus(Duration.ofMinutes(75)))).isPresent();
    }

    @Test
    void concurrentTakersGetExactlyTheLimit() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger allowed = new AtomicInteger();
        try {
            java.util.List<Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < 200; i++) {
                done.add(pool.submit(() -> {
                    if (limits.take("identifier:busy.test", 50, Duration.ofDays(1), T0).isEmpty()) {
                        allowed.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(allowed).hasValue(50);
    }

    @Test
    void fullBucketsArePurged() {
        limits.take("account:7", 10, Duration.ofHours(1), T0);
        limits.take("account:8", 10, Duration.ofHours(1), T0.plus(Duration.ofDays(3)));
        limits.purgeFull(); // the clock says T0 + 2 days: account:7 is full again, account:8 not
        assertThat(jdbc.sql("SELECT bucket FROM acme_rate_limit").query(String.class).list()).containsExactly("account:8");
    }
}
