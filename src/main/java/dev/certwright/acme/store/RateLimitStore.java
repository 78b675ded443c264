package dev.certwright.acme.store;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.RateLimitBuckets;

/**
 * ACME's rate-limit buckets: the GCRA buckets of {@link RateLimitBuckets} (shared by every node, one row each), which
 * the API's issuance limit uses too. Callers run it inside their transaction, so a refusal on a later bucket rolls back
 * the tokens taken from earlier ones.
 */
@Component
public class RateLimitStore {

    private final RateLimitBuckets buckets;

    RateLimitStore(JdbcClient jdbc, Clock clock) {
        this.buckets = new RateLimitBuckets(jdbc, clock);
    }

    /**
     * Takes one token from the bucket, or says how long until one is free.
     *
     * @return empty when the request may go ahead; otherwise the wait (RFC 8555 §6.6 Retry-After)
     */
    public Optional<Duration> take(String bucket, int limit, Duration window, Instant now) {
        return buckets.take(bucket, limit, window, now);
    }

    /** Drops the buckets that are full again (the scheduled purge of {@link RateLimitBuckets} does this on every node). */
    void purgeFull() {
        buckets.purgeFull();
    }
}
