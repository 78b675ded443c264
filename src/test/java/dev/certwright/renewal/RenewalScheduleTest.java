package dev.certwright.renewal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import dev.certwright.platform.StartupException;
import dev.certwright.renewal.internal.RenewalProperties;

/** Due times (the renewBefore rule and its fallbacks, jitter within bounds) and the retry backoff. */
class RenewalScheduleTest {

    static final Instant NOT_BEFORE = Instant.parse("2026-11-01T00:00:00Z");
    static final Instant NOT_AFTER = NOT_BEFORE.plus(Duration.ofDays(90));

    @Test
    void theSlotRuleWinsThenTheProfileThenAThirdOfTheLife() {
        SplittableRandom random = new SplittableRandom(1);
        assertThat(RenewalSchedule.dueAt(NOT_BEFORE, NOT_AFTER, Duration.ofDays(10), Duration.ofDays(20), 0, random))
                .isEqualTo(NOT_AFTER.minus(Duration.ofDays(10)));
        assertThat(RenewalSchedule.dueAt(NOT_BEFORE, NOT_AFTER, null, Duration.ofDays(20), 0, random)).isEqualTo(NOT_AFTER.minus(Duration.ofDays(20)));
        assertThat(RenewalSchedule.dueAt(NOT_BEFORE, NOT_AFTER, null, null, 0, random)).isEqualTo(NOT_AFTER.minus(Duration.ofDays(30)));
        // A profile rule longer than a short instance's whole life falls back to a third of it.
        Instant shortEnd = NOT_BEFORE.plus(Duration.ofMinutes(3));
        assertThat(RenewalSchedule.dueAt(NOT_BEFORE, shortEnd, null, Duration.ofDays(20), 0, random)).isEqualTo(shortEnd.minus(Duration.ofMinutes(1)));
    }

    @Test
    void jitterMovesDueTimesEarlierWithinItsShareAndSpreadsAFleet() {
        SplittableRandom random = new SplittableRandom(7);
        java.util.Set<Instant> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            Instant due = RenewalSchedule.dueAt(NOT_BEFORE, NOT_AFTER, Duration.ofDays(10), null, 0.1, random);
            assertThat(due).isBetween(NOT_AFTER.minus(Duration.ofDays(11)), NOT_AFTER.minus(Duration.ofDays(10)));
            seen.add(due);
        }
        assertThat(seen).hasSizeGreaterThan(990);
    }

    @Test
    void backoffDoublesUpToTheCeiling() {
        RenewalService service = new RenewalService(null, null, new RenewalProperties(Duration.ofMinutes(1), 5, Duration.ofMinutes(1),
                Duration.ofMinutes(10), 0.1, Duration.ofMinutes(10)), null, null, null, null, null, null);
        assertThat(service.backoff(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(service.backoff(2)).isEqualTo(Duration.ofMinutes(2));
        assertThat(service.backoff(4)).isEqualTo(Duration.ofMinutes(8));
        assertThat(service.backoff(5)).isEqualTo(Duration.ofMinutes(10));
        assertThat(service.backoff(60)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void nonsenseSettingsStopTheStart() {
        assertThatThrownBy(() -> new RenewalProperties(Duration.ZERO, 5, Duration.ofMinutes(1), Duration.ofHours(1), 0.1, Duration.ofMinutes(10)))
                .isInstanceOf(StartupException.class);
        assertThatThrownBy(() -> new RenewalProperties(Duration.ofMinutes(1), 0, Duration.ofMinutes(1), Duration.ofHours(1), 0.1, Duration.ofMinutes(10)))
                .isInstanceOf(StartupException.class);
        assertThatThrownBy(() -> new RenewalProperties(Duration.ofMinutes(1), 5, Duration.ofMinutes(1), Duration.ofHours(1), 0.9, Duration.ofMinutes(10)))
                .isInstanceOf(StartupException.class);
    }

    @Test
    void anAriWindowGivesATimeInsideIt() {
        // RFC 9773 §4.2: a uniformly random time in the suggested window.
        Instant start = Instant.parse("2027-01-01T00:00:00Z");
        Instant end = start.plus(Duration.ofDays(2));
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 1000; i++) {
            assertThat(new dev.certwright.inventory.CertificateInventory.RenewalWindow(start, end).pick(random)).isBetween(start, end);
        }
        assertThat(new dev.certwright.inventory.CertificateInventory.RenewalWindow(end, start).pick(random)).as("an inverted window means its start").isEqualTo(end);
    }
}
