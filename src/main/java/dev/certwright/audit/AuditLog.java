package dev.certwright.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.jdbc.support.KeyHolder;
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
 * <p>
 * The chains are keyed (decision 45): each entry written since the CA was first opened by this version carries an
 * HMAC-SHA256 of its hash under a key derived from the CA's key-encryption key ({@link AuditKeys}), and each head an
 * HMAC over its state, so that rewriting the database and recomputing the SHA-256 chain is detected. Entries from before
 * (scheme 1) are verified as before, up to each chain's {@code keyed_after}; the first keyed entry after them links to
 * them, which protects them from then on. An append before the CA is open fails: there is no such caller, the CA is
 * opened before anything else that writes is started.
 */
@Component
public class AuditLog {

    static final int CHAINS = 16;
    static final String GENESIS = ChainHashes.GENESIS;
    private static final Object CHAIN_KEY = new Object();

    private final JdbcClient jdbc;
    private final Clock clock;
    private final AuditKeys keys;
    private final AuditCheckpoints checkpoints;

    public AuditLog(JdbcClient jdbc, Clock clock, AuditKeys keys, AuditCheckpoints checkpoints) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.keys = keys;
        this.checkpoints = checkpoints;
    }

    /**
     * One audit entry. {@code scheme} is 1 for entries written before the chains were keyed, 2 after; {@code mac} is the
     * HMAC of a scheme 2 entry's hash.
     */
    public record Entry(long id, int chain, Instant occurredAt, String actor, String action, String subjectType, String subjectId,
            String details, String prevHash, String hash, int scheme, String mac) {
    }

    /** Appends an entry; joins the caller's transaction (there must be one: the state change it records). */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String actor, String action, String subjectType, String subjectId, String details) {
        byte[] key = requireKey();
        appendLocked(lockHead(), key, actor, action, subjectType, subjectId, details);
    }

    private void appendLocked(Head head, byte[] key, String actor, String action, String subjectType, String subjectId, String details) {
        int chain = head.chain();
        // A chain not keyed yet is keyed by its first keyed entry: all before it are legacy.
        long keyedAfter = head.keyedAfter() != null ? head.keyedAfter() : head.lastId();
        Instant at = clock.instant().truncatedTo(ChronoUnit.MICROS);
        String safeDetails = details == null ? "" : details.length() > 4096 ? details.substring(0, 4096) : details;
        String hash = ChainHashes.keyed(chain, head.lastHash(), at, actor, action, subjectType, subjectId, safeDetails);
        KeyHolder id = new GeneratedKeyHolder();
        jdbc.sql("INSERT INTO audit_log (chain, occurred_at, actor, action, subject_type, subject_id, details, prev_hash, hash, scheme, mac) "
                        + "VALUES (:chain, :at, :actor, :action, :type, :subject, :details, :prev, :hash, :scheme, :mac)")
                .param("chain", chain).param("at", Timestamps.of(at)).param("actor", actor).param("action", action)
                .param("type", subjectType).param("subject", subjectId).param("details", safeDetails).param("prev", head.lastHash())
                .param("hash", hash).param("scheme", ChainHashes.KEYED).param("mac", ChainHashes.entryMac(key, chain, hash))
                .update(id, "id");
        long newId = id.getKey().longValue();
        updateHead(key, chain, newId, hash, head.entries() + 1, keyedAfter);
    }

    private void updateHead(byte[] key, int chain, long lastId, String lastHash, long entries, long keyedAfter) {
        jdbc.sql("UPDATE audit_head SET last_hash = :hash, last_id = :id, entries = :n, keyed_after = :ka, mac = :mac WHERE chain = :c")
                .param("hash", lastHash).param("id", lastId).param("n", entries).param("ka", keyedAfter)
                .param("mac", ChainHashes.headMac(key, chain, lastId, lastHash, entries, keyedAfter)).param("c", chain).update();
    }

    /**
     * Keys every chain that is not keyed yet (the upgrade of an installation from before decision 45, and the first start
     * of a new one): its head records its last legacy entry and gets a MAC. When legacy entries exist, the transition is
     * recorded as an {@code audit.keyed} entry. Called when the CA has been opened; idempotent, and safe on several nodes
     * at once (each head is locked). Returns the number of chains keyed now.
     */
    @Transactional
    public int keyChains() {
        byte[] key = requireKey();
        int keyed = 0;
        long legacy = 0;
        Head first = null;
        for (int chain = 0; chain < CHAINS; chain++) {
            Head head = lockChain(chain);
            if (head.keyedAfter() == null) {
                updateHead(key, chain, head.lastId(), head.lastHash(), head.entries(), head.lastId());
                keyed++;
                legacy += head.entries();
                if (first == null) {
                    first = new Head(chain, head.lastHash(), head.lastId(), head.entries(), head.lastId());
                }
            }
        }
        if (legacy > 0) {
            appendLocked(first, key, "system", "audit.keyed", "audit", "chains",
                    "keyed " + keyed + " chains; " + legacy + " earlier entries stay unkeyed (scheme 1) and are protected by the first keyed entry after them");
        }
        return keyed;
    }

    private byte[] requireKey() {
        return keys.chainKey().orElseThrow(() -> new IllegalStateException(
                "an audit entry was written before the CA was opened: the audit chains are keyed from the CA"));
    }

    private record Head(int chain, String lastHash, long lastId, long entries, Long keyedAfter) {
    }

    private static Head head(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        long keyedAfter = rs.getLong("keyed_after");
        Long keyed = rs.wasNull() ? null : keyedAfter;
        return new Head(rs.getInt("chain"), rs.getString("last_hash").trim(), rs.getLong("last_id"), rs.getLong("entries"), keyed);
    }

    private static final String HEAD_COLUMNS = "chain, last_hash, last_id, entries, keyed_after";

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
        Head head = jdbc.sql("SELECT " + HEAD_COLUMNS + " FROM audit_head WHERE chain >= :s ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED")
                .param("s", start).query(AuditLog::head).optional()
                .or(() -> jdbc.sql("SELECT " + HEAD_COLUMNS + " FROM audit_head WHERE chain < :s ORDER BY chain LIMIT 1 FOR UPDATE SKIP LOCKED")
                        .param("s", start).query(AuditLog::head).optional())
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
        return jdbc.sql("SELECT " + HEAD_COLUMNS + " FROM audit_head WHERE chain = :c FOR UPDATE").param("c", chain)
                .query(AuditLog::head).single();
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
     * Hands every entry after {@code sinceId} (and at or after {@code sinceTime}, when given) to {@code consumer}, oldest
     * first, reading a page at a time so that the log is never held in memory.
     */
    public void export(long sinceId, Instant sinceTime, Consumer<Entry> consumer) {
        long last = sinceId;
        while (true) {
            List<Entry> page = jdbc.sql("SELECT * FROM audit_log WHERE id > :last" + (sinceTime != null ? " AND occurred_at >= :at" : "")
                            + " ORDER BY id LIMIT 500")
                    .param("last", last).params(sinceTime != null ? Map.of("at", Timestamps.of(sinceTime)) : Map.of())
                    .query(AuditLog::read).list();
            page.forEach(consumer);
            if (page.size() < 500) {
                return;
            }
            last = page.getLast().id();
        }
    }

    /**
     * The outcome of {@link #verify()}.
     *
     * @param valid whether every chain, every head and every readable checkpoint agree
     * @param firstBrokenEntry the lowest id of an entry that does not verify, or that a checkpoint names and the chain no
     *        longer holds; 0 when only a head is wrong (entries cut off the end of a chain); null when valid
     * @param problem what is wrong, in words; null when valid
     * @param checkpoints how many signed checkpoints were read and checked
     * @param latestCheckpoint when the newest of them was made, if any
     * @param restores how many signed restore statements were read (decision 69)
     * @param supersededCheckpoints how many checkpoints name heads that a later restore rolled back (those heads are not
     *        checked; the rest of such a checkpoint is)
     */
    public record Verification(boolean valid, Long firstBrokenEntry, String problem, int checkpoints, Instant latestCheckpoint, int restores,
            int supersededCheckpoints) {
    }

    /**
     * Recomputes every chain from its genesis: links, hashes, the MAC of every keyed entry, and each head's state and
     * MAC; then checks that every checkpointed head is still in its chain, with the same hash at the same position,
     * unless a restore statement later in the sink rolled the chain back before it (decision 69).
     */
    public Verification verify() {
        byte[] key = requireKey();
        AuditCheckpoints.Readout readout = checkpoints.read();
        RestoredHistory history = new RestoredHistory(readout.restores());
        // Per chain: checkpointed entry id -> the heads as checkpointed (by every statement that names it).
        List<Map<Long, List<Checkpoint.Head>>> expected = new java.util.ArrayList<>();
        for (int i = 0; i < CHAINS; i++) {
            expected.add(new HashMap<>());
        }
        Instant latest = null;
        int superseded = 0;
        for (Checkpoint checkpoint : readout.checkpoints()) {
            latest = latest == null || checkpoint.at().isAfter(latest) ? checkpoint.at() : latest;
            superseded += history.superseded(checkpoint) ? 1 : 0;
            expect(expected, history, checkpoint.line(), checkpoint.heads());
        }
        for (RestoreStatement restore : readout.restores()) {
            // The restored heads are signed positions in the current history too, unless a later restore went further back.
            expect(expected, history, restore.line(), restore.heads());
        }
        Map<Integer, Head> heads = new HashMap<>();
        Map<Integer, String> headMacs = new HashMap<>();
        jdbc.sql("SELECT " + HEAD_COLUMNS + ", mac FROM audit_head").query(rs -> {
            Head head = head(rs, 0);
            heads.put(head.chain(), head);
            headMacs.put(head.chain(), rs.getString("mac"));
        });
        String[] prev = new String[CHAINS];
        long[] count = new long[CHAINS];
        long[] lastId = new long[CHAINS];
        java.util.Arrays.fill(prev, GENESIS);
        long[] broken = {Long.MAX_VALUE};
        String[] problem = {null};
        jdbc.sql("SELECT * FROM audit_log ORDER BY chain, id").query(rs -> {
            Entry e = read(rs, 0);
            int c = e.chain();
            if (c < 0 || c >= CHAINS) {
                fail(broken, problem, e.id(), "entry " + e.id() + " names no chain");
                return;
            }
            count[c]++;
            lastId[c] = e.id();
            Head head = heads.get(c);
            Long keyedAfter = head == null ? null : head.keyedAfter();
            String why = null;
            if (!ChainHashes.same(e.prevHash(), prev[c])) {
                why = "does not link to the entry before it in chain " + c;
            } else if (keyedAfter != null && e.id() > keyedAfter && e.scheme() != ChainHashes.KEYED) {
                why = "is written after chain " + c + " was keyed but carries no MAC";
            } else if ((keyedAfter == null || e.id() <= keyedAfter) && e.scheme() != ChainHashes.LEGACY) {
                why = "claims a scheme its chain's head does not allow";
            } else if (!ChainHashes.same(e.hash(), ChainHashes.hash(e.scheme(), c, e.prevHash(), e.occurredAt(), e.actor(), e.action(),
                    e.subjectType(), e.subjectId(), e.details()))) {
                why = "does not match its hash";
            } else if (e.scheme() == ChainHashes.KEYED && !ChainHashes.same(e.mac(), ChainHashes.entryMac(key, c, e.hash()))) {
                why = "does not match its MAC";
            }
            List<Checkpoint.Head> checkpointed = expected.get(c).remove(e.id());
            if (why == null && checkpointed != null) {
                for (Checkpoint.Head signed : checkpointed) {
                    if (signed.entries() != count[c] || !ChainHashes.same(signed.lastHash(), e.hash())) {
                        why = "differs from signed checkpoint (position " + signed.entries() + " in chain " + c + ")";
                        break;
                    }
                }
            }
            if (why != null) {
                fail(broken, problem, e.id(), "entry " + e.id() + " " + why);
            }
            prev[c] = e.hash();
        });
        for (int c = 0; c < CHAINS; c++) {
            for (List<Checkpoint.Head> missing : expected.get(c).values()) {
                long id = missing.getFirst().lastId();
                fail(broken, problem, id, "entry " + id + " is in a signed checkpoint but no longer in chain " + c);
            }
        }
        if (broken[0] == Long.MAX_VALUE) {
            for (int c = 0; c < CHAINS; c++) {
                Head head = heads.get(c);
                String mac = headMacs.get(c);
                String why = null;
                if (head == null) {
                    why = "chain " + c + " has no head";
                } else if (head.keyedAfter() == null || mac == null) {
                    why = "chain " + c + " is not keyed";
                } else if (!ChainHashes.same(mac.trim(), ChainHashes.headMac(key, c, head.lastId(), head.lastHash(), head.entries(), head.keyedAfter()))) {
                    why = "the head of chain " + c + " does not match its MAC";
                } else if (!ChainHashes.same(head.lastHash(), prev[c]) || head.lastId() != lastId[c] || head.entries() != count[c]) {
                    why = "the head of chain " + c + " does not match its last entry (entries were cut off its end)";
                }
                if (why != null) {
                    fail(broken, problem, 0, why);
                    break;
                }
            }
        }
        if (broken[0] == Long.MAX_VALUE && !readout.badLines().isEmpty()) {
            problem[0] = "checkpoint lines " + readout.badLines() + " of " + checkpoints.sink().getFileName() + " do not verify";
            broken[0] = 0;
        }
        Optional<String> replayed = history.replayed();
        if (broken[0] == Long.MAX_VALUE && replayed.isPresent()) {
            problem[0] = replayed.get();
            broken[0] = 0;
        }
        boolean valid = broken[0] == Long.MAX_VALUE;
        return new Verification(valid, valid ? null : broken[0], problem[0], readout.checkpoints().size(), latest, readout.restores().size(),
                superseded);
    }

    /** Records the heads a signed statement names that are still part of the log, as entries verify must find. */
    private static void expect(List<Map<Long, List<Checkpoint.Head>>> expected, RestoredHistory history, int line, List<Checkpoint.Head> heads) {
        for (Checkpoint.Head head : heads) {
            if (head.chain() >= 0 && head.chain() < CHAINS && head.entries() > 0 && history.current(line, head)) {
                expected.get(head.chain()).computeIfAbsent(head.lastId(), id -> new java.util.ArrayList<>()).add(head);
            }
        }
    }

    private static void fail(long[] broken, String[] problem, long id, String why) {
        if (id < broken[0]) {
            broken[0] = id;
            problem[0] = why;
        }
    }

    private static Entry read(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        String mac = rs.getString("mac");
        return new Entry(rs.getLong("id"), rs.getInt("chain"), Timestamps.read(rs, "occurred_at"), rs.getString("actor"),
                rs.getString("action"), rs.getString("subject_type"), rs.getString("subject_id"), rs.getString("details"),
                rs.getString("prev_hash").trim(), rs.getString("hash").trim(), rs.getInt("scheme"), mac == null ? null : mac.trim());
    }
}
