package dev.certwright.discovery;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/** The scans, runs and endpoints tables (V28). */
@Component
class ScanStore {

    static final int MAX_ERRORS = 20;
    private static final String SCAN_COLUMNS = "id, name, targets, ports, server_names, schedule, concurrency, rate_per_second, next_run_at, "
            + "created_by, created_at, updated_at";
    private static final String RUN_COLUMNS = "r.id, s.name, r.state, r.requested_by, r.endpoints_total, r.endpoints_done, r.handshakes, r.failures, "
            + "r.certificates_new, r.errors, r.created_at, r.started_at, r.finished_at";

    private final JdbcClient jdbc;

    ScanStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    long insert(ScanSpec spec, String actor, Instant now) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        try {
            jdbc.sql("INSERT INTO discovery_scan (name, targets, ports, server_names, schedule, concurrency, rate_per_second, next_run_at, "
                            + "created_by, created_at, updated_at) VALUES (:name, :targets, :ports, :serverNames, :schedule, :concurrency, :rate, "
                            + ":next, :actor, :now, :now)")
                    .params(specParams(spec, now)).param("actor", actor).param("now", Timestamps.of(now)).update(keys, "id");
        } catch (DuplicateKeyException e) {
            throw new DiscoveryException(DiscoveryException.Type.DUPLICATE, "a scan named '" + spec.name() + "' exists");
        }
        return keys.getKey().longValue();
    }

    boolean update(ScanSpec spec, Instant now) {
        return jdbc.sql("UPDATE discovery_scan SET targets = :targets, ports = :ports, server_names = :serverNames, schedule = :schedule, "
                        + "concurrency = :concurrency, rate_per_second = :rate, next_run_at = :next, updated_at = :now WHERE name = :name")
                .params(specParams(spec, now)).param("now", Timestamps.of(now)).update() == 1;
    }

    private static java.util.Map<String, Object> specParams(ScanSpec spec, Instant now) {
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        params.put("name", spec.name());
        params.put("targets", String.join("\n", spec.targets()));
        params.put("ports", String.join("\n", spec.ports().stream().map(String::valueOf).toList()));
        params.put("serverNames", String.join("\n", spec.serverNames()));
        params.put("schedule", spec.schedule() == null ? null : spec.schedule().toString());
        params.put("concurrency", spec.concurrency());
        params.put("rate", spec.ratePerSecond());
        params.put("next", spec.schedule() == null ? null : Timestamps.of(now.plus(spec.schedule())));
        return params;
    }

    boolean delete(String name) {
        return jdbc.sql("DELETE FROM discovery_scan WHERE name = :name").param("name", name).update() == 1;
    }

    Optional<Scan> find(String name) {
        return jdbc.sql("SELECT " + SCAN_COLUMNS + " FROM discovery_scan WHERE name = :name").param("name", name).query(ScanStore::scan).optional();
    }

    Optional<Scan> find(long id) {
        return jdbc.sql("SELECT " + SCAN_COLUMNS + " FROM discovery_scan WHERE id = :id").param("id", id).query(ScanStore::scan).optional();
    }

    List<Scan> list() {
        return jdbc.sql("SELECT " + SCAN_COLUMNS + " FROM discovery_scan ORDER BY name").query(ScanStore::scan).list();
    }

    /** Scheduled scans due by now, each moved to its next time in the same statement that claims it (one node wins). */
    List<Scan> claimDue(Instant now) {
        List<Scan> due = jdbc.sql("SELECT " + SCAN_COLUMNS + " FROM discovery_scan WHERE next_run_at <= :now ORDER BY next_run_at LIMIT 100")
                .param("now", Timestamps.of(now)).query(ScanStore::scan).list();
        return due.stream().filter(s -> jdbc.sql("UPDATE discovery_scan SET next_run_at = :next WHERE id = :id AND next_run_at = :was")
                .param("next", Timestamps.of(now.plus(s.spec().schedule()))).param("id", s.id()).param("was", Timestamps.of(s.nextRunAt()))
                .update() == 1).toList();
    }

    long queueRun(long scanId, String actor, Instant now) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO discovery_run (scan_id, state, requested_by, created_at) VALUES (:scan, 'QUEUED', :actor, :now)")
                .param("scan", scanId).param("actor", actor).param("now", Timestamps.of(now)).update(keys, "id");
        return keys.getKey().longValue();
    }

    /** The oldest queued run, claimed for this node (a compare-and-set on its state), or empty. */
    Optional<Long> claimQueued(String node, Instant now) {
        for (Long id : jdbc.sql("SELECT id FROM discovery_run WHERE state = 'QUEUED' ORDER BY id LIMIT 10").query(Long.class).list()) {
            if (jdbc.sql("UPDATE discovery_run SET state = 'RUNNING', claimed_by = :node, started_at = :now, heartbeat_at = :now WHERE id = :id AND state = 'QUEUED'")
                    .param("node", node).param("now", Timestamps.of(now)).param("id", id).update() == 1) {
                return Optional.of(id);
            }
        }
        return Optional.empty();
    }

    /**
     * Queues again every RUNNING run whose heartbeat is older than {@code staleBefore}: its node was killed or lost the
     * database, and nothing else would ever finish it. Its counts start again (a run records what it sees; a second
     * pass records nothing twice) and its errors say why. Returns the runs queued again.
     */
    List<Long> requeueStale(Instant staleBefore, Instant now) {
        List<Long> stale = jdbc.sql("SELECT id FROM discovery_run WHERE state = 'RUNNING' AND (heartbeat_at IS NULL OR heartbeat_at < :before) ORDER BY id")
                .param("before", Timestamps.of(staleBefore)).query(Long.class).list();
        List<Long> queued = new java.util.ArrayList<>();
        for (Long id : stale) {
            String node = jdbc.sql("SELECT claimed_by FROM discovery_run WHERE id = :id").param("id", id).query(String.class).optional().orElse("?");
            // A compare-and-set on the state and the old heartbeat: a node that is alive after all, or another node's
            // sweep, keeps it.
            if (jdbc.sql("UPDATE discovery_run SET state = 'QUEUED', claimed_by = NULL, started_at = NULL, heartbeat_at = NULL, endpoints_done = 0, "
                            + "handshakes = 0, failures = 0, certificates_new = 0, errors = :errors WHERE id = :id AND state = 'RUNNING' "
                            + "AND (heartbeat_at IS NULL OR heartbeat_at < :before)")
                    .param("errors", "queued again at " + now + ": " + node + " stopped running it (no heartbeat since before " + staleBefore + ")")
                    .param("id", id).param("before", Timestamps.of(staleBefore)).update() == 1) {
                queued.add(id);
            }
        }
        return queued;
    }

    Optional<ScanRun> run(long id) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM discovery_run r JOIN discovery_scan s ON s.id = r.scan_id WHERE r.id = :id")
                .param("id", id).query(ScanStore::run).optional();
    }

    long scanOfRun(long runId) {
        return jdbc.sql("SELECT scan_id FROM discovery_run WHERE id = :id").param("id", runId).query(Long.class).single();
    }

    List<ScanRun> runs(String scan, int limit) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM discovery_run r JOIN discovery_scan s ON s.id = r.scan_id WHERE s.name = :name "
                + "ORDER BY r.id DESC LIMIT :limit").param("name", scan).param("limit", limit).query(ScanStore::run).list();
    }

    List<ScanRun> recentRuns(int limit) {
        return jdbc.sql("SELECT " + RUN_COLUMNS + " FROM discovery_run r JOIN discovery_scan s ON s.id = r.scan_id ORDER BY r.id DESC LIMIT :limit")
                .param("limit", limit).query(ScanStore::run).list();
    }

    void total(long runId, int total, Instant now) {
        jdbc.sql("UPDATE discovery_run SET endpoints_total = :total, heartbeat_at = :now WHERE id = :id").param("total", total)
                .param("now", Timestamps.of(now)).param("id", runId).update();
    }

    /** Adds a batch of progress to the run's counts, and its errors while fewer than {@link #MAX_ERRORS} are kept. */
    void progress(long runId, int done, int handshakes, int failures, int certificatesNew, List<String> errors, Instant now) {
        jdbc.sql("UPDATE discovery_run SET endpoints_done = endpoints_done + :done, handshakes = handshakes + :handshakes, "
                        + "failures = failures + :failures, certificates_new = certificates_new + :created, heartbeat_at = :now WHERE id = :id")
                .param("now", Timestamps.of(now)).param("done", done).param("handshakes", handshakes).param("failures", failures).param("created", certificatesNew)
                .param("id", runId).update();
        if (!errors.isEmpty()) {
            String kept = jdbc.sql("SELECT errors FROM discovery_run WHERE id = :id").param("id", runId).query(String.class).single();
            List<String> all = new java.util.ArrayList<>(kept.isEmpty() ? List.of() : Arrays.asList(kept.split("\n")));
            for (String e : errors) {
                if (all.size() < MAX_ERRORS) {
                    all.add(e.replace('\n', ' '));
                }
            }
            String text = String.join("\n", all);
            jdbc.sql("UPDATE discovery_run SET errors = :errors WHERE id = :id").param("errors", text.length() > 8000 ? text.substring(0, 8000) : text)
                    .param("id", runId).update();
        }
    }

    void finish(long runId, ScanRun.State state, String error, Instant now) {
        if (error != null) {
            progress(runId, 0, 0, 0, 0, List.of(error), now);
        }
        jdbc.sql("UPDATE discovery_run SET state = :state, finished_at = :now WHERE id = :id").param("state", state.name())
                .param("now", Timestamps.of(now)).param("id", runId).update();
    }

    private static Scan scan(ResultSet rs, int row) throws SQLException {
        String schedule = rs.getString("schedule");
        ScanSpec spec = new ScanSpec(rs.getString("name"), lines(rs.getString("targets")),
                lines(rs.getString("ports")).stream().map(Integer::valueOf).toList(), lines(rs.getString("server_names")),
                schedule == null ? null : Duration.parse(schedule), rs.getInt("concurrency"), rs.getInt("rate_per_second"));
        return new Scan(rs.getLong("id"), spec, rs.getString("created_by"), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"),
                Timestamps.read(rs, "next_run_at"));
    }

    private static ScanRun run(ResultSet rs, int row) throws SQLException {
        return new ScanRun(rs.getLong(1), rs.getString(2), ScanRun.State.valueOf(rs.getString(3)), rs.getString(4), rs.getInt(5), rs.getInt(6),
                rs.getInt(7), rs.getInt(8), rs.getInt(9), lines(rs.getString(10)), Timestamps.read(rs, 11), Timestamps.read(rs, 12),
                Timestamps.read(rs, 13));
    }

    static List<String> lines(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
