package dev.certwright.deploy.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;

import dev.certwright.deploy.Deployment;
import dev.certwright.deploy.DeploymentStatus;
import dev.certwright.deploy.TargetProbe;
import dev.certwright.platform.Timestamps;

/** Storage of deployments: the queue (PENDING rows by due time, claimed by one conditional UPDATE) and the history. */
@Component
public class Deployments {

    private static final String COLUMNS = "id, managed_name, certificate_id, serial, target_name, status, trigger_kind, attempt, "
            + "next_attempt_at, reason, steps, requested_by, created_at, started_at, finished_at";

    private final JdbcClient jdbc;
    private final Clock clock;

    Deployments(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Queues an attempt; older PENDING attempts for the same slot and target are superseded by it. */
    public long enqueue(String managedName, long certificateId, String serial, String target, String trigger, int attempt, Instant due, String actor) {
        Instant now = clock.instant();
        jdbc.sql("UPDATE deployment SET status = 'FAILED', reason = 'superseded by a newer deployment', finished_at = :now "
                        + "WHERE managed_name = :name AND target_name = :target AND status = 'PENDING' AND started_at IS NULL")
                .param("now", Timestamps.of(now)).param("name", managedName).param("target", target).update();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO deployment (managed_name, certificate_id, serial, target_name, status, trigger_kind, attempt, next_attempt_at, "
                        + "requested_by, created_at) VALUES (:name, :cert, :serial, :target, 'PENDING', :trigger, :attempt, :due, :actor, :now)")
                .param("name", managedName).param("cert", certificateId).param("serial", serial).param("target", target)
                .param("trigger", trigger).param("attempt", attempt).param("due", Timestamps.of(due)).param("actor", actor)
                .param("now", Timestamps.of(now)).update(keys, "id");
        return keys.getKey().longValue();
    }

    /** PENDING attempts whose due time (or the lease of a node that stopped) has come, oldest first. */
    List<Deployment> due(Instant now, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployment WHERE status = 'PENDING' AND next_attempt_at <= :now "
                        + "ORDER BY next_attempt_at, id LIMIT :limit")
                .param("now", Timestamps.of(now)).param("limit", limit).query(Deployments::read).list();
    }

    /** Takes an attempt for this node until {@code leaseEnd}; false when another node took it first. */
    boolean claim(Deployment d, Instant leaseEnd) {
        return jdbc.sql("UPDATE deployment SET next_attempt_at = :lease, started_at = :now WHERE id = :id AND status = 'PENDING' "
                        + "AND next_attempt_at = :seen")
                .param("lease", Timestamps.of(leaseEnd)).param("now", Timestamps.of(clock.instant())).param("id", d.id())
                .param("seen", Timestamps.of(d.nextAttemptAt())).update() > 0;
    }

    /** Records the outcome of a claimed attempt; false when it was no longer PENDING. */
    boolean finish(long id, DeploymentStatus status, String reason, String steps) {
        return jdbc.sql("UPDATE deployment SET status = :status, reason = :reason, steps = :steps, finished_at = :now, next_attempt_at = NULL "
                        + "WHERE id = :id AND status = 'PENDING'")
                .param("status", status.name()).param("reason", truncate(reason, 2000)).param("steps", truncate(steps, 2000))
                .param("now", Timestamps.of(clock.instant())).param("id", id).update() > 0;
    }

    public Optional<Deployment> find(long id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployment WHERE id = :id").param("id", id).query(Deployments::read).optional();
    }

    /** A slot's deployments, newest first. */
    public List<Deployment> history(String managedName, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployment WHERE managed_name = :name ORDER BY id DESC LIMIT :limit")
                .param("name", managedName).param("limit", limit).query(Deployments::read).list();
    }

    /** The deployments of one certificate instance, newest first. */
    public List<Deployment> forCertificate(long certificateId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployment WHERE certificate_id = :cert ORDER BY id DESC LIMIT 100")
                .param("cert", certificateId).query(Deployments::read).list();
    }

    /** Attempts that ended FAILED or ROLLED_BACK since a time, newest first. */
    public List<Deployment> problemsSince(Instant since, int limit) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployment WHERE status IN ('FAILED', 'ROLLED_BACK') AND finished_at > :since "
                        + "ORDER BY finished_at DESC LIMIT :limit")
                .param("since", Timestamps.of(since)).param("limit", limit).query(Deployments::read).list();
    }

    /** The newest attempt of this slot on this target, if any. */
    Optional<Deployment> latest(String managedName, String target) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM deployment WHERE managed_name = :name AND target_name = :target ORDER BY id DESC LIMIT 1")
                .param("name", managedName).param("target", target).query(Deployments::read).optional();
    }

    /** Whether this instance has been verified on every one of these targets. */
    boolean verifiedEverywhere(long certificateId, List<String> targets) {
        List<String> verified = jdbc.sql("SELECT DISTINCT target_name FROM deployment WHERE certificate_id = :cert AND status = 'VERIFIED'")
                .param("cert", certificateId).query(String.class).list();
        return verified.containsAll(targets);
    }

    /** Records what a target served when probed. */
    void recordProbe(String target, String managedName, String served, String expected, String error) {
        Instant now = clock.instant();
        boolean drifted = served != null && !served.equals(expected);
        int updated = jdbc.sql("UPDATE target_probe SET probed_at = :now, served_sha256 = :served, expected_sha256 = :expected, "
                        + "drifted = :drifted, error = :error WHERE target_name = :target AND managed_name = :name")
                .param("now", Timestamps.of(now)).param("served", served).param("expected", expected).param("drifted", drifted)
                .param("error", truncate(error, 1000)).param("target", target).param("name", managedName).update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO target_probe (target_name, managed_name, probed_at, served_sha256, expected_sha256, drifted, error) "
                            + "VALUES (:target, :name, :now, :served, :expected, :drifted, :error)")
                    .param("now", Timestamps.of(now)).param("served", served).param("expected", expected).param("drifted", drifted)
                    .param("error", truncate(error, 1000)).param("target", target).param("name", managedName).update();
        }
    }

    /** The last probe of each slot on a target. */
    public List<TargetProbe> probes(String target) {
        return jdbc.sql("SELECT managed_name, probed_at, served_sha256, expected_sha256, drifted, error FROM target_probe "
                        + "WHERE target_name = :target ORDER BY managed_name")
                .param("target", target).query((rs, i) -> new TargetProbe(rs.getString(1), Timestamps.read(rs, "probed_at"), rs.getString(3),
                        rs.getString(4), rs.getBoolean(5), rs.getString(6))).list();
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }

    private static Deployment read(ResultSet rs, int row) throws SQLException {
        return new Deployment(rs.getLong("id"), rs.getString("managed_name"), rs.getLong("certificate_id"), rs.getString("serial"),
                rs.getString("target_name"), DeploymentStatus.valueOf(rs.getString("status")), rs.getString("trigger_kind"), rs.getInt("attempt"),
                Timestamps.read(rs, "next_attempt_at"), rs.getString("reason"), rs.getString("steps"), rs.getString("requested_by"),
                Timestamps.read(rs, "created_at"), Timestamps.read(rs, "started_at"), Timestamps.read(rs, "finished_at"));
    }
}
