package dev.certwright.acme;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.certwright.acme.AcmeRenewalInfo.Window;

/**
 * RFC 9773 windows of a certificate whose issuer is rolled over ({@link AcmeRenewalInfo#rolledOver}): the window starts
 * at the switch and keeps its length, and is never later than the usual window.
 */
class RolloverRenewalWindowTest {

    /** A 90-day certificate issued on day 0, due from day 60 to day 75 (a third of its life, then half of that). */
    static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
    static final Window USUAL = new Window(day(60), day(75), Duration.ofHours(6));

    static Instant day(double n) {
        return ISSUED.plus(Duration.ofMinutes(Math.round(n * 24 * 60)));
    }

    @ParameterizedTest(name = "switch on day {0}: window from day {1} to day {2}")
    @CsvSource({
            // A switch early in the certificate's life: the whole window moves to the switch, with its 15 days.
            "10, 10, 25",
            // A switch already passed when the certificate was issued (its issuer retiring): the window starts then, so it
            // may lie in the past, which RFC 9773 §4.2 reads as "renew now".
            "-5, -5, 10",
            // Just before the usual start: moved by those days only.
            "55, 55, 70",
            // At or after the usual start: the usual window, since renewing then is already after the switch.
            "60, 60, 75",
            "70, 60, 75"})
    void theWindowStartsAtTheSwitchAndKeepsItsLength(double switchDay, double startDay, double endDay) {
        Window moved = AcmeRenewalInfo.rolledOver(USUAL, day(switchDay));
        assertThat(moved.start()).isEqualTo(day(startDay));
        assertThat(moved.end()).isEqualTo(day(endDay));
        assertThat(moved.end()).isBeforeOrEqualTo(USUAL.end()).isAfter(moved.start());
        assertThat(moved.retryAfter()).isEqualTo(USUAL.retryAfter());
    }
}
