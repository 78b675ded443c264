package dev.certwright.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.Test;

/** When to ask an upstream's renewalInfo again (RFC 9773 §4.3): its Retry-After, kept within the configured bounds. */
class UpstreamRenewalPollTest {

    static final Instant NOW = Instant.parse("2026-12-08T00:00:00Z");
    static final Duration MIN = Duration.ofMinutes(1);
    static final Duration MAX = Duration.ofDays(1);

    @Test
    void retryAfterWithinTheBoundsIsFollowed() {
        assertThat(UpstreamRenewalPoll.nextPoll(NOW.plus(Duration.ofHours(6)), NOW, MIN, MAX)).isEqualTo(NOW.plus(Duration.ofHours(6)));
    }

    @Test
    void tooSoonTooLateOrNothingSaidIsClamped() {
        assertThat(UpstreamRenewalPoll.nextPoll(NOW.plusSeconds(1), NOW, MIN, MAX)).isEqualTo(NOW.plus(MIN));
        assertThat(UpstreamRenewalPoll.nextPoll(NOW.minusSeconds(60), NOW, MIN, MAX)).as("a date in the past").isEqualTo(NOW.plus(MIN));
        assertThat(UpstreamRenewalPoll.nextPoll(NOW.plus(Duration.ofDays(30)), NOW, MIN, MAX)).isEqualTo(NOW.plus(MAX));
        assertThat(UpstreamRenewalPoll.nextPoll(null, NOW, MIN, MAX)).isEqualTo(NOW.plus(MAX));
    }
}
