package dev.certwright.renewal.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.renewal.*}.
 *
 * @param scanInterval how often the renewal job looks for due slots
 * @param maxAttempts failed attempts after which a slot is flagged and its owner told; automatic renewal then stops
 * @param retryBackoff the wait after the first failure; it doubles after each further failure
 * @param maxBackoff the longest wait between attempts
 * @param jitter the share of {@code renewBefore} over which due times are spread, so that a fleet issued at once does
 *        not come due at once
 * @param lease how long a node holds a slot it is renewing before another node may take it up
 */
@ConfigurationProperties("certwright.renewal")
public record RenewalProperties(@DefaultValue("PT1M") Duration scanInterval, @DefaultValue("5") int maxAttempts,
        @DefaultValue("PT1M") Duration retryBackoff, @DefaultValue("PT1H") Duration maxBackoff, @DefaultValue("0.1") double jitter,
        @DefaultValue("PT10M") Duration lease) {

    public RenewalProperties {
        if (scanInterval.isNegative() || scanInterval.isZero() || retryBackoff.isNegative() || retryBackoff.isZero()
                || maxBackoff.compareTo(retryBackoff) < 0 || lease.isNegative() || lease.isZero()) {
            throw new StartupException("certwright.renewal: scan-interval, retry-backoff and lease must be positive, max-backoff at least retry-backoff");
        }
        if (maxAttempts < 1 || jitter < 0 || jitter > 0.5) {
            throw new StartupException("certwright.renewal.max-attempts must be at least 1 and certwright.renewal.jitter within [0, 0.5]");
        }
    }
}
