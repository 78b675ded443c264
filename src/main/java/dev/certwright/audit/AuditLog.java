package dev.certwright.audit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.certwright.platform.Timestamps;

/**
 * Appends entries to the audit log. Entries form {@value #CHAINS} hash chains: each entry's hash covers its chain's
 * previous hash and its own fields, so removing or editing a row breaks its chain, which {@link #verify()} detects.
 * An append locks its chain's head row until the transaction ends; a transaction keeps to one chain (so two
 * transactions never wait on each other's heads in opposite orders), and concurrent transactions spread over the
 * chains instead of queuing on one lock.
 */
@Component
public class AuditLog {

    static final int CHAINS = 16;
    static final String GENESIS = "0".repeat(64);
    private static final Object CHAIN_KEY = new Object();

    private final JdbcClient jdbc;
    private final Clock clock;

    public AuditLog(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One audit entry. */
    public record Entry(long id, int chain, Instant occurredAt, String actor, String action, String subjectType, String subjectId,
            String details, String prevHash, String hash) {
    }

    /** Appends an entry; joins the caller's transaction (there must be one: the state change it records). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String actor, String action, String subjectType, String subjectId, String details) {
        Head head = lockHead();
        int chain = head.chain();
        String prev = head.lastHash();
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String safeDetails = details == null ? "" : details.length() > 4096 ? details.substring(0, 4096) : details;
        String hash = hash(prev, at, actor, action, subjectType, subjectId, safeDetails);
        jdbc.sql("INSERT INTO audit_log (chain, occurred_at, actor, action, subject_type, subject_id, details, prev_hash, hash) "
                        + "VALUES (:chain, :at, :actor, :action, :type, :subject, :details, :prev, :hash)")
                .param("chain", chain).param("at", Timestamps.of(at)).param("actor", actor).param("action", action)
                .param("type", subjectType).param("subject", subjectId).param("details", safeDetails).param("prev", prev)
                .param("hash", hash)
                .update();
        jdbc.sql("UPDATE audit_head SET last_hash = :hash WHERE chain = :c").param("hash", hash).param("c", chain).update();
    }

    private record Head(int chain, String lastHash) {
    }

    /**
     * Locks a chain head for this transaction: the one it already holds, else the first free one from a random start
     * (SKIP LOCKED, so that concurrent transactions do not wait for each other), else, when all are taken, a random
     * one, waiting for it.
     */
    private Head lockHead() {
        Object bound = TransactionSynchronizationManager.getResource(CHAIN_KEY);
        if (bound instanceof Integer chain) {
            return lockChain(chain);
        }
        int start = ThreadLocalRandom.current().nextInt(CHAINS);
        Head head = jdbc.sql("SELECT chain, last_hash FROM audit_head WHERE chain >= :s ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED")
                .param("s", start).query((rs, i) -> new Head(rs.getInt(1), rs.getString(2))).optional()
                .or(() -> jdbc.sql("SELECT chain, last_hash FROM audit_head WHERE chain < :s ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED")
                        .param("s", start).query((rs, i) -> new Head(rs.getInt(1), rs.getString(2))).optional())
                .orElseGet(() -> lockChain(start));
        TransactionSynchronizationManager.bindResource(CHAIN_KEY, head.chain());
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCompletion(int status) {
                TransactionSynchronizationManager.unbindResourceIfPossible(CHAIN_KEY);
            }
        });
        return head;
    }

    private Head lockChain(int chain) {
        return jdbc.sql("SELECT chain, last_hash FROM audit_head WHERE chain = :c FOR UPDATE").param("c", chain)
                .query((rs, i) -> new Head(rs.getInt(1), rs.getString(2))).single();
    }

    /** Entries about one subject, oldest first. */
    public List<Entry> forSubject(String subjectType, String subjectId) {
        return jdbc.sql("SELECT * FROM audit_log WHERE subject_type = :t AND subject_id = :s ORDER BY id")
                .param("t", subjectType).param("s", subjectId).query(AuditLog::read).list();
    }

    /** A page of entries, newest first, filtered by any of subject, actor and action. */
    public List<Entry> search(String subjectType, String subjectId, String actor, String action, int page, int size) {
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
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

    /**
     * Recomputes every chain from its genesis and checks that each chain's last hash is its head's. Returns the id of
     * the first entry that does not match, 0 when a head does not match its chain's last entry (an entry was cut off
     * the end), or -1 when all is intact.
     */
    public long verify() {
        String[] prev = new String[CHAINS];
        java.util.Arrays.fill(prev, GENESIS);
        long[] broken = {-1};
        jdbc.sql("SELECT * FROM audit_log ORDER BY chain, id").query(rs -> {
            if (broken[0] >= 0) {
                return;
            }
            Entry e = read(rs, 0);
            String expected = hash(prev[e.chain()], e.occurredAt(), e.actor(), e.action(), e.subjectType(), e.subjectId(), e.details());
            if (!e.prevHash().equals(prev[e.chain()]) || !e.hash().equals(expected)) {
                broken[0] = e.id();
            }
            prev[e.chain()] = e.hash();
        });
        if (broken[0] >= 0) {
            return broken[0];
        }
        Map<Integer, String> heads = new HashMap<>();
        jdbc.sql("SELECT chain, last_hash FROM audit_head").query(rs -> {
            heads.put(rs.getInt(1), rs.getString(2));
        });
        for (int chain = 0; chain < CHAINS; chain++) {
            if (!prev[chain].equals(heads.get(chain))) {
                return 0;
            }
        }
        return -1;
    }

    private static Entry read(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Entry(rs.getLong("id"), rs.getInt("chain"), Timestamps.read(rs, "occurred_at"), rs.getString("actor"),
                rs.getString("action"), rs.getString("subject_type"), rs.getString("subject_id"), rs.getString("details"),
                rs.getString("prev_hash"), rs.getString("hash"));
    }

    static String hash(String prev, Instant at, String actor, String action, String type, String subject, String details) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String field : new String[] {prev, at.toString(), actor, action, type, subject, details}) {
                byte[] bytes = field.getBytes(StandardCharsets.UTF_8);
                // Length-prefixed, so that no two different field lists hash alike.
                digest.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                digest.update(bytes);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
