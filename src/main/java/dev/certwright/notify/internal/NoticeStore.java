package dev.certwright.notify.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/** Notice rows: created once (a unique key per certificate, event, threshold, channel and target), then delivered. */
@Component
class NoticeStore {

    /** A notice waiting for delivery. */
    record Pending(long id, long certificateId, String event, String threshold, String channel, String target, int attempts, String detail) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    NoticeStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Records a notice once; false when it exists already. {@code status} is pending, or skipped (not to be sent). */
    boolean create(long certificateId, String event, String threshold, String channel, String target, String status, String detail) {
        Instant now = clock.instant();
        return jdbc.sql("INSERT INTO notice (certificate_id, event, threshold, channel, target, status, next_attempt_at, detail, created_at) "
                        + "VALUES (:c, :e, :t, :ch, :target, :status, :now, :detail, :now) ON CONFLICT DO NOTHING")
                .param("c", certificateId).param("e", event).param("t", threshold).param("ch", channel).param("target", target)
                .param("status", status).param("detail", detail).param("now", Timestamps.of(now)).update() == 1;
    }

    List<Pending> due(Instant now, int limit) {
        return jdbc.sql("SELECT id, certificate_id, event, threshold, channel, target, attempts, detail FROM notice "
                        + "WHERE status = 'pending' AND next_attempt_at <= :now ORDER BY next_attempt_at LIMIT :limit")
                .param("now", Timestamps.of(now)).param("limit", limit)
                .query((rs, i) -> new Pending(rs.getLong("id"), rs.getLong("certificate_id"), rs.getString("event"), rs.getString("threshold"),
                        rs.getString("channel"), rs.getString("target"), rs.getInt("attempts"), rs.getString("detail")))
                .list();
    }

    /** Claims a due notice for one delivery attempt (one node wins): pushes its next attempt out by {@code lease}. */
    boolean claim(long id, int attempts, Instant leaseUntil) {
        return jdbc.sql("UPDATE notice SET next_attempt_at = :lease WHERE id = :id AND status = 'pending' AND attempts = :attempts "
                        + "AND next_attempt_at <= :now")
                .param("lease", Timestamps.of(leaseUntil)).param("id", id).param("attempts", attempts).param("now", Timestamps.of(clock.instant()))
                .update() == 1;
    }

    void sent(long id) {
        jdbc.sql("UPDATE notice SET status = 'sent', sent_at = :now, attempts = attempts + 1, last_error = NULL WHERE id = :id")
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
    }

    /** A failed attempt: retried at {@code retryAt}, or left failed when it is null. */
    void failed(long id, String error, Instant retryAt) {
        String cut = error == null ? "" : error.length() > 1000 ? error.substring(0, 1000) : error;
        jdbc.sql("UPDATE notice SET attempts = attempts + 1, last_error = :error, next_attempt_at = :retry, "
                        + "status = CASE WHEN :giveUp THEN 'failed' ELSE 'pending' END WHERE id = :id")
                .param("error", cut).param("retry", Timestamps.of(retryAt)).param("giveUp", retryAt == null).param("id", id).update();
    }
}
