package dev.certwright.notify.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.inventory.ExpiringCertificates;
import dev.certwright.platform.Timestamps;

/**
 * Finds the certificates to tell owners about at one expiry threshold without walking the ones already told. A
 * certificate becomes due at threshold T when its notAfter comes within T of now, or when it appears (issued or
 * imported) already within T. Per threshold, {@code notice_scan} keeps a <em>mark</em> (every certificate expiring by
 * then has been considered) and a <em>since</em> (certificates created from then on are checked whatever their
 * expiry). Each scan then reads three small sets: expiring between the mark and the new horizon, created since, and
 * the managed ones (whose renewal state can change at any time). A full pass over the whole window, in walks of
 * {@link #WALK} index entries per scan, sets the first mark, runs once a day as a safety net, and starts again when
 * something outside those sets becomes due (a certificate hold released).
 */
@Component
class ExpiryScan {

    /** Index entries one scan's share of a full pass walks at most. */
    static final int WALK = 50_000;
    /** How far back the created side reaches beyond the last scan: reserve-to-issue time and clock skew between nodes. */
    static final Duration MARGIN = Duration.ofMinutes(10);
    static final Duration FULL_PASS_EVERY = Duration.ofDays(1);

    /** A certificate that crossed an expiry threshold without a successor. */
    record Expiring(long id, String serial, String owner, String sans, String subject, Instant notAfter, String source, String managedName) {
    }

    /** One threshold's position (a row of {@code notice_scan}). */
    record State(Instant mark, Instant since, Instant passCursor, Instant passStarted) {
        static final State NEW = new State(null, null, null, null);
    }

    /** A scan's certificates, and the state to store once every one of them is recorded. */
    record Batch(String threshold, List<Expiring> due, State next) {
    }

    private final ExpiringCertificates certificates;
    private final JdbcClient jdbc;
    private final Clock clock;
    private final int walk;

    @org.springframework.beans.factory.annotation.Autowired
    ExpiryScan(ExpiringCertificates certificates, JdbcClient jdbc, Clock clock) {
        this(certificates, jdbc, clock, WALK);
    }

    ExpiryScan(ExpiringCertificates certificates, JdbcClient jdbc, Clock clock, int walk) {
        this.certificates = certificates;
        this.jdbc = jdbc;
        this.clock = clock;
        this.walk = walk;
    }

    /** At most {@code limit} certificates due at {@code threshold} (of length {@code within}), soonest first. */
    Batch next(String threshold, Duration within, int limit) {
        Instant now = clock.instant();
        Instant horizon = now.plus(within);
        State state = load(threshold).orElse(State.NEW);
        List<Expiring> due = new ArrayList<>();
        Instant mark = state.mark();
        Instant since = state.since() == null ? now.minus(MARGIN) : state.since();
        if (mark != null) {
            // What expired into the window since the last scan, what was created since, and the managed certificates. The
            // expiry side starts at the mark itself: a certificate committed after the last scan but expiring before its
            // mark was created less than MARGIN before that scan, so the created side has it (decision 40).
            Instant from = mark.isAfter(now) ? mark : now;
            Instant since0 = since;
            due.addAll(notYetNoticed(threshold, limit, (after, page) -> certificates.changedSince(now, horizon, from, since0, after, page)));
            if (due.size() < limit) {
                mark = horizon.isAfter(mark) ? horizon : mark; // a node whose clock is behind does not move it back
                since = now.minus(MARGIN);
            }
        }
        Instant cursor = state.passCursor();
        Instant started = state.passStarted();
        if (cursor == null && (mark == null || started == null || started.isBefore(now.minus(FULL_PASS_EVERY)))) {
            cursor = now;
            started = now;
            if (mark == null) {
                since = now.minus(MARGIN); // what is created during the pass below its cursor
            }
        }
        if (cursor != null && due.size() < limit) {
            Instant from = cursor.isAfter(now) ? cursor : now;
            // The walk's end: the WALK-th expiry from the cursor on, or the horizon when fewer are left.
            Instant end = certificates.walkEnd(from, horizon, walk).orElse(null);
            int room = limit - due.size();
            Instant to = end == null ? horizon : end;
            List<Expiring> slice = notYetNoticed(threshold, room, (after, page) -> certificates.expiringBetween(now, horizon, from, to, after, page));
            java.util.Set<Long> seen = new java.util.HashSet<>(due.stream().map(Expiring::id).toList());
            slice.stream().filter(e -> seen.add(e.id())).forEach(due::add);
            if (slice.size() == room) {
                cursor = slice.getLast().notAfter(); // more are due in this walk; the recorded ones will not be again
            } else if (end == null) {
                cursor = null; // the pass reached the horizon
            } else {
                cursor = end.isAfter(from) ? end : end.plusNanos(1_000); // more than a walk of certificates expire at that instant
            }
            if (cursor == null && mark == null) {
                mark = horizon;
            }
        }
        due.sort(java.util.Comparator.comparing(Expiring::notAfter).thenComparingLong(Expiring::id));
        return new Batch(threshold, due, new State(mark, since, cursor, started));
    }

    /** Stores where the scan of {@code batch}'s threshold stands, once its certificates are recorded. */
    void done(Batch batch) {
        State s = batch.next();
        var update = jdbc.sql("UPDATE notice_scan SET mark = :mark, since = :since, pass_cursor = :cursor, pass_started = :started WHERE threshold = :t");
        if (bind(update, batch.threshold(), s).update() == 0) {
            bind(jdbc.sql("INSERT INTO notice_scan (threshold, mark, since, pass_cursor, pass_started) VALUES (:t, :mark, :since, :cursor, :started) "
                    + "ON CONFLICT DO NOTHING"), batch.threshold(), s).update();
        }
    }

    /** Something outside the scan's sets may have become due: every threshold's full pass starts again. */
    void recheckAll() {
        jdbc.sql("UPDATE notice_scan SET pass_cursor = NULL, pass_started = NULL").update();
    }

    Optional<State> load(String threshold) {
        return jdbc.sql("SELECT mark, since, pass_cursor, pass_started FROM notice_scan WHERE threshold = :t").param("t", threshold)
                .query((rs, i) -> new State(Timestamps.read(rs, "mark"), Timestamps.read(rs, "since"), Timestamps.read(rs, "pass_cursor"),
                        Timestamps.read(rs, "pass_started")))
                .optional();
    }

    /**
     * At most {@code limit} of the inventory's certificates that have no notice at this threshold yet, in the
     * inventory's (notAfter, id) order: pages are read until the limit is reached or the inventory has no more, so a
     * batch smaller than the limit still means that nothing else is due in those sets.
     */
    private List<Expiring> notYetNoticed(String threshold, int limit,
            java.util.function.BiFunction<ExpiringCertificates.After, Integer, List<ExpiringCertificates.Expiring>> pages) {
        List<Expiring> due = new ArrayList<>();
        ExpiringCertificates.After after = null;
        while (due.size() < limit) {
            List<ExpiringCertificates.Expiring> page = pages.apply(after, limit);
            if (page.isEmpty()) {
                break;
            }
            java.util.Set<Long> noticed = new java.util.HashSet<>(jdbc.sql("SELECT certificate_id FROM notice WHERE event = 'certificate.expiring' "
                            + "AND threshold = :threshold AND certificate_id IN (:ids)")
                    .param("threshold", threshold).param("ids", page.stream().map(ExpiringCertificates.Expiring::id).toList())
                    .query(Long.class).list());
            for (ExpiringCertificates.Expiring e : page) {
                if (due.size() < limit && !noticed.contains(e.id())) {
                    due.add(new Expiring(e.id(), e.serial(), e.owner(), e.sans(), e.subject(), e.notAfter(), e.source(), e.managedName()));
                }
            }
            if (page.size() < limit) {
                break;
            }
            after = ExpiringCertificates.After.of(page.getLast());
        }
        return due;
    }

    private static JdbcClient.StatementSpec bind(JdbcClient.StatementSpec spec, String threshold, State s) {
        return spec.param("t", threshold).param("mark", at(s.mark())).param("since", at(s.since())).param("cursor", at(s.passCursor()))
                .param("started", at(s.passStarted()));
    }

    private static Object at(Instant instant) {
        return instant == null ? null : Timestamps.of(instant);
    }

}
