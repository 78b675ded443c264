package dev.certwright.audit;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.platform.Timestamps;

/**
 * Appends entries to the audit log. Each entry's hash covers the previous entry's hash and its own fields, so removing
 * or editing a row breaks the chain, which {@link #verify()} detects. Appends lock the single {@code audit_head} row,
 * which orders the chain across nodes.
 */
@Component
public class AuditLog {

    private final JdbcClient jdbc;
    private final Clock clock;

    public AuditLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One audit entry. */
    public record Entry(long id, Instant occurredAt, String actor, String action, String subjectType, String subjectId,
            String details, String prevHash, String hash) {
    }

    /** Appends an entry; joins the caller's transaction (there must be one: the state change it records). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String actor, String action, String subjectType, String subjectId, String details) {
        String prev = jdbc.sql("SELECT last_hash FROM audit_head WHERE id = 1 FOR UPDATE").query(String.class).single();
        Instant at = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        String safeDetails = details == null ? "" : details.length() > 4096 ? details.substring(0, 4096) : details;
        String hash = hash(prev, at, actor, action, subjectType, subjectId, safeDetails);
        jdbc.sql("INSERT INTO audit_log (occurred_at, actor, action, subject_type, subject_id, details, prev_hash, hash) "
                        + "VALUES (:at, :actor, :action, :type, :subject, :details, :prev, :hash)")
                .param("at", Timestamps.of(at)).param("actor", actor).param("action", action).param("type", subjectType)
                .param("subject", subjectId).param("details", safeDetails).param("prev", prev).param("hash", hash)
                .update();
        jdbc.sql("UPDATE audit_head SET last_hash = :hash WHERE id = 1").param("hash", hash).update();
    }

    /** Entries about one subject, oldest first. */
    public List<Entry> forSubject(String subjectType, String subjectId) {
        return jdbc.sql("SELECT * FROM audit_log WHERE subject_type = :t AND subject_id = :s ORDER BY id")
                .param("t", subjectType).param("s", subjectId).query(AuditLog::read).list();
    }

    /** A page of entries, newest first, filtered by any of subject, actor and action. */
    public List<Entry> search(String subjectType, String subjectId, String actor, String action, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        java.util.Map<String, Object> params = new java.util.HashMap<>();
        if (subjectType != null) {
            where.append(" AND subject_type = :t");
            params.put("t", subjectType);
        }
        if (subjectId != null) {
            where.append(" AND subject_id = :s");
            params.put("s", subjectId);
        }
        if (actor != null) {
            where.append(" AND actor = :a");
            params.put("a", actor);
        }
        if (action != null) {
            where.append(" AND action = :act");
            params.put("act", action);
        }
        return jdbc.sql("SELECT * FROM audit_log" + where + " ORDER BY id DESC LIMIT :limit OFFSET :offset").params(params)
                .param("limit", size).param("offset", (long) page * size).query(AuditLog::read).list();
    }

    /** Recomputes the chain; returns the id of the first entry that does not match, or -1 when all do. */
    public long verify() {
        String[] prev = {"0".repeat(64)};
        long[] broken = {-1};
        jdbc.sql("SELECT * FROM audit_log ORDER BY id").query(rs -> {
            if (broken[0] >= 0) {
                return;
            }
            Entry e = read(rs, 0);
            String expected = hash(prev[0], e.occurredAt(), e.actor(), e.action(), e.subjectType(), e.subjectId(), e.details());
            if (!e.prevHash().equals(prev[0]) || !e.hash().equals(expected)) {
                broken[0] = e.id();
            }
            prev[0] = e.hash();
        });
        return broken[0];
    }

    private static Entry read(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Entry(rs.getLong("id"), Timestamps.read(rs, "occurred_at"), rs.getString("actor"), rs.getString("action"),
                rs.getString("subject_type"), rs.getString("subject_id"), rs.getString("details"), rs.getString("prev_hash"),
                rs.getString("hash"));
    }

    static String hash(String prev, Instant at, String actor, String action, String type, String subject, String details) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {prev, at.toString(), actor, action, type, subject, details}) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed, so that no two different field lists hash alike.
                digest.update(java.nio.ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
