package dev.certwright.platform.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import dev.certwright.platform.Timestamps;

/**
 * Counts failed dashboard sign-ins per user name and per client address in the database, so that every node sees
 * the same counts. A subject that reached its limit ({@link SignInProperties}) is blocked: its attempts are answered
 * 429 without the password being checked, until the block ends. Each failure after the limit doubles the next block
 * (exponential backoff, capped at {@code maxDelay}). A successful sign-in clears its user name's count, not its
 * address's: one known account must not unlock guessing at the others.
 */
@Component
class SignInThrottle {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SignInProperties properties;

    SignInThrottle(JdbcClient jdbc, Clock clock, SignInProperties properties) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.properties = properties;
    }

    static String userSubject(String username) {
        String name = username == null ? "" : username.trim().toLowerCase(Locale.ROOT);
        return "user:" + (name.length() > 300 ? name.substring(0, 300) : name);
    }

    static String addressSubject(String address) {
        return "address:" + (address == null ? "" : address);
    }

    /** How long the attempt must wait, when the user name or the address is blocked now. */
    Optional<Duration> blocked(String username, String address) {
        Instant now = clock.instant();
        return jdbc.sql("SELECT MAX(blocked_until) FROM sign_in_failure WHERE subject IN (:subjects) AND blocked_until > :now")
                .param("subjects", List.of(userSubject(username), addressSubject(address))).param("now", Timestamps.of(now))
                .query((rs, i) -> Timestamps.read(rs, 1)).optional()
                .map(until -> Duration.between(now, until));
    }

    /** Records a failed sign-in; call inside the transaction that audits it. */
    void failed(String username, String address) {
        Instant now = clock.instant();
        record(userSubject(username), properties.maxFailuresPerUser(), now);
        record(addressSubject(address), properties.maxFailuresPerAddress(), now);
    }

    /** A successful sign-in: the user name starts from zero again. */
    void succeeded(String username) {
        jdbc.sql("DELETE FROM sign_in_failure WHERE subject = :s").param("s", userSubject(username)).update();
    }

    private void record(String subject, int limit, Instant now) {
        for (int attempt = 0; attempt < 2; attempt++) {
            Optional<int[]> current = jdbc.sql("SELECT failures, last_failure_at FROM sign_in_failure WHERE subject = :s FOR UPDATE")
                    .param("s", subject)
                    .query((rs, i) -> new int[] {rs.getInt(1),
                            Timestamps.read(rs, 2).plus(properties.forgetAfter()).isBefore(now) ? 1 : 0})
                    .optional();
            if (current.isEmpty()) {
                try {
                    jdbc.sql("INSERT INTO sign_in_failure (subject, failures, last_failure_at, blocked_until) VALUES (:s, 1, :now, :until)")
                            .param("s", subject).param("now", Timestamps.of(now)).param("until", Timestamps.of(blockedUntil(1, limit, now)))
                            .update();
                    return;
                } catch (DuplicateKeyException e) {
                    continue; // another request inserted it first: count on its row
                }
            }
            // A subject quiet for forgetAfter starts again from one failure.
            int failures = current.get()[1] == 1 ? 1 : current.get()[0] + 1;
            jdbc.sql("UPDATE sign_in_failure SET failures = :f, last_failure_at = :now, blocked_until = :until WHERE subject = :s")
                    .param("f", failures).param("now", Timestamps.of(now)).param("until", Timestamps.of(blockedUntil(failures, limit, now)))
                    .param("s", subject).update();
            return;
        }
    }

    /** The end of the block after {@code failures} failures: none below the limit, then the first delay doubled per failure. */
    Instant blockedUntil(int failures, int limit, Instant now) {
        if (failures < limit) {
            return null;
        }
        int doublings = Math.min(failures - limit, 30);
        Duration delay = properties.firstDelay().multipliedBy(1L << doublings);
        return now.plus(delay.compareTo(properties.maxDelay()) > 0 ? properties.maxDelay() : delay);
    }

    /** Forgets subjects that have been quiet for {@code forgetAfter} and are not blocked. */
    @Scheduled(fixedDelayString = "PT10M", initialDelayString = "PT10M")
    void purge() {
        Instant now = clock.instant();
        jdbc.sql("DELETE FROM sign_in_failure WHERE last_failure_at < :cutoff AND (blocked_until IS NULL OR blocked_until < :now)")
                .param("cutoff", Timestamps.of(now.minus(properties.forgetAfter()))).param("now", Timestamps.of(now)).update();
    }
}
