package dev.certwright.platform;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Rate-limit buckets shared by every node, by the generic cell rate algorithm (GCRA, as Let's Encrypt's Boulder uses):
 * a limit of {@code n} per {@code window} lets a burst of {@code n} through and then one more every {@code window / n}.
 * Each bucket is one row of {@code acme_rate_limit} (the table's name is historical: ACME orders were its first user;
 * ACME new-account and API issuance buckets live there too, under their own key prefixes) holding its theoretical
 * arrival time (TAT); a request is allowed when pushing the TAT one interval later keeps it within one window of now.
 * The check and the push are one conditional UPDATE, so two nodes cannot both take the last token. Callers that take
 * from several buckets run them inside one transaction, so a refusal on a later bucket rolls back the earlier ones.
 */
@Component
public class RateLimitBuckets {

    private final JdbcClient jdbc;
    private final Clock clock;

    public RateLimitBuckets(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Takes one token from the bucket now; see {@link #take(String, int, Duration, Instant)}. */
    public Optional<Duration> take(String bucket, int limit, Duration window) {
        return take(bucket, limit, window, clock.instant());
    }

    /**
     * Takes one token from the bucket, or says how long until one is free.
     *
     * @return empty when the request may go ahead; otherwise the wait (for a Retry-After header, RFC 9110 §10.2.3)
     */
    public Optional<Duration> take(String bucket, int limit, Duration window, Instant now) {
        long nowMicros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
        long windowMicros = window.toNanos() / 1000;
        long interval = Math.max(1, windowMicros / limit);
        for (int attempt = 0; attempt < 2; attempt++) {
            int taken = jdbc.sql("UPDATE acme_rate_limit SET tat = GREATEST(tat, :now) + :interval "
                            + "WHERE bucket = :bucket AND GREATEST(tat, :now) + :interval - :now <= :window")
                    .param("now", nowMicros).param("interval", interval).param("window", windowMicros).param("bucket", bucket).update();
            if (taken == 1) {
                return Optional.empty();
            }
            Optional<Long> tat = jdbc.sql("SELECT tat FROM acme_rate_limit WHERE bucket = :bucket").param("bucket", bucket).query(Long.class)
                    .optional();
            if (tat.isPresent()) {
                long wait = Math.max(tat.get(), nowMicros) + interval - windowMicros - nowMicros;
                return Optional.of(Duration.of(Math.max(wait, 1), ChronoUnit.MICROS));
            }
            if (jdbc.sql("INSERT INTO acme_rate_limit (bucket, tat) VALUES (:bucket, :tat) ON CONFLICT DO NOTHING").param("bucket", bucket)
                    .param("tat", nowMicros + interval).update() == 1) {
                return Optional.empty();
            }
            // Another node created the bucket first: take from it.
        }
        throw new IllegalStateException("rate-limit bucket " + bucket + " could not be taken from");
    }

    /** Whole seconds to wait, rounded up and at least 1: the value of a Retry-After header. */
    public static long retryAfterSeconds(Duration wait) {
        long seconds = wait.toSeconds() + (wait.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** A bucket whose TAT has passed is full again, the same as no row: drop it. */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    public void purgeFull() {
        jdbc.sql("DELETE FROM acme_rate_limit WHERE tat < :now").param("now", ChronoUnit.MICROS.between(Instant.EPOCH, clock.instant())).update();
    }
}
