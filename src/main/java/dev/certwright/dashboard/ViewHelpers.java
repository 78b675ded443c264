package dev.certwright.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

import org.springframework.stereotype.Component;

/** Formatting the templates call as {@code ${@view.…}}: days left with their colour cue, and UTC times. */
@Component("view")
public class ViewHelpers {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("MMM d").withZone(ZoneOffset.UTC);

    private final Clock clock;

    ViewHelpers(Clock clock) {
        this.clock = clock;
    }

    /** Whole days until the instant; negative once it has passed. */
    public long daysLeft(Instant notAfter) {
        if (notAfter == null) {
            return 0;
        }
        Duration left = Duration.between(clock.instant(), notAfter);
        return left.isNegative() ? -Math.max(1, left.negated().toDays()) : left.toDays();
    }

    /** The colour class for days left: expired, critical (≤ 7), soon (≤ 30), warn (≤ 90), ok. */
    public String urgency(Instant notAfter) {
        if (notAfter == null) {
            return "ok";
        }
        if (!notAfter.isAfter(clock.instant())) {
            return "expired";
        }
        long days = daysLeft(notAfter);
        return days <= 7 ? "critical" : days <= 30 ? "soon" : days <= 90 ? "warn" : "ok";
    }

    /** "12 d", "3 h" or "expired". */
    public String left(Instant notAfter) {
        if (notAfter == null) {
            return "—";
        }
        Duration left = Duration.between(clock.instant(), notAfter);
        if (left.isNegative() || left.isZero()) {
            return "expired";
        }
        return left.toDays() >= 1 ? left.toDays() + " d" : left.toHours() >= 1 ? left.toHours() + " h" : left.toMinutes() + " min";
    }

    public String when(Instant instant) {
        return instant == null ? "—" : WHEN.format(instant);
    }

    public String day(Instant instant) {
        return instant == null ? "" : DAY.format(instant);
    }

    /** Octal mode text. */
    public String mode(int mode) {
        return String.format("%04o", mode);
    }
}
