package dev.certwright.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.platform.Timestamps;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.SerialNumber;

/**
 * The certificate store. Writes are small and explicit: reserve a serial (PENDING), record the signed result (ISSUED)
 * or the failure, record a certificate issued elsewhere. Reads never load DER or chains for lists.
 */
@Component
public class CertificateInventory {

    static final int MAX_PAGE_SIZE = 500;
    private static final String SUMMARY_COLUMNS = "c.id, c.serial, c.issuer_dn, c.issuer_name, c.status, c.source, c.profile, c.subject, c.sans, "
            + "c.key_algorithm, c.key_size, c.not_before, c.not_after, c.fingerprint_sha256, c.owner, c.managed_name, "
            + "c.predecessor_id, c.successor_id, c.requested_by, c.failure_reason, c.created_at, c.revoked_at, c.revocation_reason, c.revoked_by";

    private final JdbcClient jdbc;
    private final Clock clock;
    private final ApplicationEventPublisher events;

    @org.springframework.beans.factory.annotation.Autowired
    public CertificateInventory(JdbcClient jdbc, Clock clock, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.events = events;
    }

    /**
     * Reserves the serial: inserts a PENDING row. A serial already used by this issuer is refused with DUPLICATE, so
     * that no serial is ever signed twice (RFC 5280 §4.1.2.2).
     */
    @Transactional
    public long reserve(PendingCertificate pending) {
        Instant now = clock.instant();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        try {
            jdbc.sql("INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, common_name, sans, owner, "
                            + "managed_name, predecessor_id, requested_by, purpose, created_at, updated_at) VALUES (:serial, :issuerDn, :issuerName, "
                            + "'PENDING', :source, :profile, :cn, :sans, :owner, :managed, :predecessor, :requestedBy, :purpose, :now, :now)")
                    .param("serial", pending.serial().hex())
                    .param("issuerDn", pending.issuerDn())
                    .param("issuerName", pending.issuerName())
                    .param("source", pending.source().name())
                    .param("profile", pending.profile())
                    .param("cn", pending.commonName())
                    .param("sans", String.join("\n", pending.names()))
                    .param("owner", pending.owner())
                    .param("managed", pending.managedName())
                    .param("predecessor", pending.predecessorId())
                    .param("requestedBy", pending.requestedBy())
                    .param("purpose", pending.purpose() == CertificatePurpose.SUBSCRIBER ? null : pending.purpose().name())
                    .param("now", Timestamps.of(now))
                    .update(keys, "id");
        } catch (DuplicateKeyException e) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "serial " + pending.serial() + " is already used by this issuer");
        }
        long id = keys.getKey().longValue();
        insertTags(id, pending.tags());
        return id;
    }

    /** Records the signed certificate on its PENDING row. */
    @Transactional
    public void markIssued(long id, CertificateView view, String chainPem) {
        int updated = jdbc.sql("UPDATE certificate SET status = 'ISSUED', subject = :subject, sans = :sans, key_algorithm = :alg, "
                        + "key_size = :size, not_before = :nb, not_after = :na, fingerprint_sha256 = :fp, der = :der, chain_pem = :chain, "
                        + "updated_at = :now WHERE id = :id AND status = 'PENDING'")
                .params(certificateFields(view, chainPem))
                .param("now", Timestamps.of(clock.instant()))
                .param("id", id)
                .update();
        if (updated != 1) {
            throw new IllegalStateException("certificate row " + id + " is not PENDING");
        }
        insertNames(id, view.sans());
    }

    /** Marks a PENDING row FAILED. Its serial stays reserved. */
    @Transactional
    public void markFailed(long id, String reason) {
        jdbc.sql("UPDATE certificate SET status = 'FAILED', failure_reason = :reason, updated_at = :now WHERE id = :id AND status = 'PENDING'")
                .param("reason", truncate(reason, 1024)).param("now", Timestamps.of(clock.instant())).param("id", id).update();
    }

    /**
     * Marks PENDING rows older than the cutoff FAILED, at most {@code limit} of them: their signing never completed (the
     * node stopped in between, or its answer was lost). The serials stay reserved, so nothing signed under them can
     * ever be recorded twice, and OCSP answers them as never issued. Each row is changed only if it is still PENDING,
     * so a signing that completes meanwhile, or another node's sweep, wins. Returns the serials this call failed.
     */
    @Transactional
    public List<String> failStalePending(Instant olderThan, int limit) {
        record Stale(long id, String serial) {
        }
        List<Stale> stale = jdbc.sql("SELECT id, serial FROM certificate WHERE status = 'PENDING' AND created_at < :cutoff ORDER BY id LIMIT :limit")
                .param("cutoff", Timestamps.of(olderThan)).param("limit", limit)
                .query((rs, i) -> new Stale(rs.getLong(1), rs.getString(2))).list();
        List<String> failed = new ArrayList<>();
        for (Stale row : stale) {
            int changed = jdbc.sql("UPDATE certificate SET status = 'FAILED', failure_reason = 'signing did not complete: still PENDING at the "
                            + "reconciliation sweep', updated_at = :now WHERE id = :id AND status = 'PENDING'")
                    .param("now", Timestamps.of(clock.instant())).param("id", row.id()).update();
            if (changed == 1) {
                failed.add(row.serial());
            }
        }
        return failed;
    }

    /** A certificate whose retention ran out: it expired before the cutoff. */
    public record Expired(long id, String serial, String issuerName, String owner, Instant notAfter) {
    }

    /**
     * Certificates that expired before the cutoff and still hold their payload, oldest first: ISSUED or REVOKED (a
     * FAILED or PENDING row holds none), not one of our issuers, not a managed slot's current instance (an operator
     * still sees what a stalled slot last had), not an OCSP responder certificate.
     */
    public List<Expired> expiredBefore(Instant cutoff, int limit) {
        return jdbc.sql("SELECT c.id, c.serial, c.issuer_name, c.owner, c.not_after FROM certificate c WHERE c.purged_at IS NULL "
                        + "AND c.not_after < :cutoff AND c.status IN ('ISSUED', 'REVOKED') AND c.source <> 'CA' "
                        + "AND NOT EXISTS (SELECT 1 FROM managed_certificate m WHERE m.current_certificate_id = c.id) "
                        + "AND (c.purpose IS NULL OR c.purpose <> 'OCSP_RESPONDER') ORDER BY c.not_after LIMIT :limit")
                .param("cutoff", Timestamps.of(cutoff)).param("limit", limit)
                .query((rs, i) -> new Expired(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), Timestamps.read(rs, "not_after")))
                .list();
    }

    /**
     * Drops a certificate's payload: its private key, DER and chain. The row stays, so that its serial stays reserved
     * (RFC 5280 §4.1.2.2) and the inventory and audit log still say what it was. Returns whether this call purged it.
     */
    @Transactional
    public boolean purge(long id) {
        int changed = jdbc.sql("UPDATE certificate SET der = NULL, chain_pem = NULL, purged_at = :now, updated_at = :now "
                        + "WHERE id = :id AND purged_at IS NULL")
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
        if (changed == 0) {
            return false;
        }
        jdbc.sql("DELETE FROM certificate_key WHERE certificate_id = :id").param("id", id).update();
        return true;
    }

    /** Records a certificate that needs no signing here: imported, discovered, or one of our issuers. */
    @Transactional
    public long record(CertificateView view, String chainPem, CertificateSource source, String issuerName, String owner,
            List<String> tags, String requestedBy) {
        try {
            return insert(view, chainPem, source, issuerName, owner, tags, requestedBy, false).orElseThrow();
        } catch (DuplicateKeyException e) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "a certificate with serial " + view.serial()
                    + " from issuer '" + view.issuer() + "' is already in the inventory");
        }
    }

    /**
     * Records a certificate unless one with its issuer and serial is there already, without a unique-key error: on
     * PostgreSQL such an error aborts the caller's transaction, so a caller that meets a certificate another transaction
     * may have recorded (discovery's handshakes, an issuer's certificate that was imported or discovered first) uses
     * this. Returns the new row's id, or empty when it was there.
     */
    @Transactional
    public Optional<Long> recordIfAbsent(CertificateView view, String chainPem, CertificateSource source, String issuerName, String owner,
            List<String> tags, String requestedBy) {
        return insert(view, chainPem, source, issuerName, owner, tags, requestedBy, true);
    }

    private Optional<Long> insert(CertificateView view, String chainPem, CertificateSource source, String issuerName, String owner,
            List<String> tags, String requestedBy, boolean ifAbsent) {
        Instant now = clock.instant();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        int inserted = jdbc.sql("INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, subject, common_name, sans, key_algorithm, "
                        + "key_size, not_before, not_after, fingerprint_sha256, der, chain_pem, owner, requested_by, created_at, updated_at) "
                        + "VALUES (:serial, :issuerDn, :issuerName, 'ISSUED', :source, :subject, NULL, :sans, :alg, :size, :nb, :na, :fp, "
                        + ":der, :chain, :owner, :requestedBy, :now, :now)" + (ifAbsent ? " ON CONFLICT DO NOTHING" : ""))
                .param("serial", view.serial().hex())
                .param("issuerDn", view.issuer())
                .param("issuerName", issuerName)
                .param("source", source.name())
                .params(certificateFields(view, chainPem))
                .param("owner", owner)
                .param("requestedBy", requestedBy)
                .param("now", Timestamps.of(now))
                .update(keys, "id");
        if (inserted == 0) {
            return Optional.empty();
        }
        long id = keys.getKey().longValue();
        insertNames(id, view.sans());
        insertTags(id, tags);
        return Optional.of(id);
    }

    /**
     * How many certificates these issuers signed that have not expired by {@code now} (revoked ones included: their
     * CRL entries are still owed), and when the last of them expires; the issuer registry asks before it lets an
     * issuer go. The issuers' delegated OCSP responder certificates do not count: they carry id-pkix-ocsp-nocheck (RFC
     * 6960 §4.2.2.2.1), so nobody asks for their status, and the issuer renews them for as long as it is installed.
     */
    public IssuerUsage unexpiredIssuedBy(java.util.Collection<String> issuerNames, Instant now) {
        return unexpiredIssuedBy(issuerNames, now, "");
    }

    /**
     * As {@link #unexpiredIssuedBy(java.util.Collection, Instant)}, leaving out the certificate with this SHA-256
     * fingerprint: a root's own self-signed certificate, which no CRL of its own covers (RFC 5280 §6.1: a trust anchor
     * is not revoked by its own CRL).
     */
    public IssuerUsage unexpiredIssuedBy(java.util.Collection<String> issuerNames, Instant now, String exceptFingerprint) {
        if (issuerNames.isEmpty()) {
            return new IssuerUsage(0, null);
        }
        return jdbc.sql("SELECT COUNT(*) AS n, MAX(not_after) AS last FROM certificate WHERE issuer_name IN (:names) AND not_after > :now "
                        + "AND status IN ('ISSUED', 'REVOKED') AND (purpose IS NULL OR purpose <> :responder) "
                        + "AND (fingerprint_sha256 IS NULL OR fingerprint_sha256 <> :except)")
                .param("names", List.copyOf(issuerNames)).param("now", Timestamps.of(now))
                .param("responder", CertificatePurpose.OCSP_RESPONDER.name()).param("except", exceptFingerprint)
                .query((rs, row) -> new IssuerUsage(rs.getLong("n"), Timestamps.read(rs, "last"))).single();
    }

    /** What {@link #unexpiredIssuedBy} found: a count, and the latest notAfter among them (null when none). */
    public record IssuerUsage(long unexpired, Instant lastExpiry) {
    }

    /** Records the renewal window the upstream suggested for this certificate (ACME ARI, RFC 9773 §4.2). */
    @Transactional
    public void setRenewalWindow(long id, Instant start, Instant end) {
        jdbc.sql("UPDATE certificate SET ari_window_start = :s, ari_window_end = :e WHERE id = :id")
                .param("s", Timestamps.of(start)).param("e", Timestamps.of(end)).param("id", id).update();
    }

    /** The upstream's suggested renewal window of a certificate, if it gave one. */
    public Optional<RenewalWindow> renewalWindow(long id) {
        return jdbc.sql("SELECT ari_window_start, ari_window_end FROM certificate WHERE id = :id AND ari_window_start IS NOT NULL")
                .param("id", id).query((rs, row) -> new RenewalWindow(Timestamps.read(rs, "ari_window_start"),
                        Timestamps.read(rs, "ari_window_end"))).optional();
    }

    /** An ARI suggested window (RFC 9773 §4.2): renew at a time chosen at random between start and end. */
    public record RenewalWindow(Instant start, Instant end) {

        /** A uniformly random instant in [start, end] (RFC 9773 §4.2); start itself when the window is empty or inverted. */
        public Instant pick(java.util.random.RandomGenerator random) {
            long span = java.time.Duration.between(start, end).toMillis();
            return span <= 0 ? start : start.plusMillis(random.nextLong(span + 1));
        }
    }

    /** A slot's current instance that an upstream gave an ARI window (decision 76): what the ARI poll asks about again. */
    public record WindowedInstance(long certificateId, String managedName, String profile, byte[] der, RenewalWindow window) {
    }

    /** Current ISSUED instances of slots with an ARI window, by id after {@code afterId}, at most {@code limit}. */
    public List<WindowedInstance> currentWithRenewalWindow(long afterId, int limit) {
        return jdbc.sql("SELECT c.id, m.name, m.profile, c.der, c.ari_window_start, c.ari_window_end FROM managed_certificate m "
                        + "JOIN certificate c ON c.id = m.current_certificate_id WHERE c.ari_window_start IS NOT NULL AND c.status = 'ISSUED' "
                        + "AND c.id > :after ORDER BY c.id LIMIT :limit")
                .param("after", afterId).param("limit", limit)
                .query((rs, row) -> new WindowedInstance(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4),
                        new RenewalWindow(Timestamps.read(rs, 5), Timestamps.read(rs, 6)))).list();
    }

    /**
     * Stores the new window an upstream now suggests for a certificate, and publishes {@link RenewalWindowChanged} in
     * this transaction, so that renewal moves the slot's due time into it.
     */
    @Transactional
    public void changeRenewalWindow(long id, String managedName, RenewalWindow window) {
        setRenewalWindow(id, window.start(), window.end());
        events.publishEvent(new RenewalWindowChanged(managedName, id, window));
    }

    /** Links a successor to its predecessor, both ways. */
    @Transactional
    public void linkSuccessor(long predecessorId, long successorId) {
        jdbc.sql("UPDATE certificate SET successor_id = :s, updated_at = :now WHERE id = :p")
                .param("s", successorId).param("p", predecessorId).param("now", Timestamps.of(clock.instant())).update();
        jdbc.sql("UPDATE certificate SET predecessor_id = :p WHERE id = :s").param("s", successorId).param("p", predecessorId).update();
    }

    /**
     * The DER of every certificate whose subject is {@code subjectDn} (RFC 2253, as {@link dev.certwright.x509.CertificateView}
     * writes it): the candidates for an imported certificate's issuer (RFC 5280 §6.1), at most {@code limit}.
     */
    public List<byte[]> derBySubject(String subjectDn, int limit) {
        return jdbc.sql("SELECT der FROM certificate WHERE subject = :subject AND der IS NOT NULL ORDER BY id LIMIT :limit")
                .param("subject", subjectDn).param("limit", limit).query((rs, i) -> rs.getBytes("der")).list();
    }

    /** The subjects (RFC 2253) of the CA certificates the inventory holds: our issuers, every generation. */
    public List<String> caSubjects() {
        return jdbc.sql("SELECT subject FROM certificate WHERE source = 'CA' AND subject IS NOT NULL").query(String.class).list();
    }

    /**
     * Sets the owner of those of {@code ids} that came from {@code source}, and whose owner is unset unless
     * {@code overwrite}; returns how many changed. Once a certificate has an owner the notice scan tells it of expiry.
     */
    public int assignOwner(java.util.Collection<Long> ids, CertificateSource source, String owner, boolean overwrite) {
        int changed = 0;
        List<Long> all = List.copyOf(ids);
        for (int from = 0; from < all.size(); from += 500) { // bounded IN lists
            changed += jdbc.sql("UPDATE certificate SET owner = :owner, updated_at = :now WHERE source = :source "
                            + (overwrite ? "" : "AND owner IS NULL ") + "AND id IN (:ids)")
                    .param("owner", owner).param("now", Timestamps.of(clock.instant())).param("source", source.name())
                    .param("ids", all.subList(from, Math.min(all.size(), from + 500))).update();
        }
        if (changed > 0) {
            events.publishEvent(new OwnersAssigned(owner, changed)); // in this transaction: the notice scan looks again
        }
        return changed;
    }

    /** Makes an imported certificate an instance of the managed certificate {@code managedName} (decision 74). */
    public void assignToSlot(long certificateId, String managedName) {
        jdbc.sql("UPDATE certificate SET managed_name = :name, updated_at = :now WHERE id = :id")
                .param("name", managedName).param("id", certificateId).param("now", Timestamps.of(clock.instant())).update();
    }

    /** Stores a managed certificate's wrapped private key. */
    @Transactional
    public void storeKey(long certificateId, String kekId, byte[] wrappedKey) {
        jdbc.sql("INSERT INTO certificate_key (certificate_id, kek_id, wrapped_key) VALUES (:id, :kek, :key)")
                .param("id", certificateId).param("kek", kekId).param("key", wrappedKey).update();
    }

    /** A certificate's wrapped private key, if Certwright holds it. */
    public Optional<WrappedKey> key(long certificateId) {
        return jdbc.sql("SELECT kek_id, wrapped_key FROM certificate_key WHERE certificate_id = :id").param("id", certificateId)
                .query((rs, i) -> new WrappedKey(rs.getString("kek_id"), rs.getBytes("wrapped_key"))).optional();
    }

    /** A private key encrypted under the key-encryption key {@code kekId}. */
    public record WrappedKey(String kekId, byte[] bytes) {
    }

    /** How many stored keys name each key-encryption key (a KEK rotation's progress, decision 68). */
    public Map<String, Long> keyCountsByKek() {
        Map<String, Long> counts = new java.util.TreeMap<>();
        jdbc.sql("SELECT kek_id, COUNT(*) AS n FROM certificate_key GROUP BY kek_id")
                .query(rs -> {
                    counts.put(rs.getString("kek_id"), rs.getLong("n"));
                });
        return counts;
    }

    /** Up to {@code limit} stored keys that name {@code kekId}, of certificates with an id above {@code afterId}, in id order. */
    public List<KeyRow> keysUnder(String kekId, long afterId, int limit) {
        return jdbc.sql("SELECT certificate_id, kek_id, wrapped_key FROM certificate_key WHERE kek_id = :kek AND certificate_id > :after "
                        + "ORDER BY certificate_id LIMIT :n")
                .param("kek", kekId).param("after", afterId).param("n", limit)
                .query((rs, i) -> new KeyRow(rs.getLong("certificate_id"), new WrappedKey(rs.getString("kek_id"), rs.getBytes("wrapped_key"))))
                .list();
    }

    /**
     * Replaces a stored key with the same key wrapped under another KEK, if it still names {@code fromKekId}; false when
     * it does not (re-wrapped already, or purged by retention meanwhile).
     */
    public boolean replaceKey(long certificateId, String fromKekId, WrappedKey rewrapped) {
        return jdbc.sql("UPDATE certificate_key SET kek_id = :to, wrapped_key = :key WHERE certificate_id = :id AND kek_id = :from")
                .param("to", rewrapped.kekId()).param("key", rewrapped.bytes()).param("id", certificateId).param("from", fromKekId)
                .update() == 1;
    }

    /** A stored key and the certificate it belongs to. */
    public record KeyRow(long certificateId, WrappedKey key) {
    }

    /** The full record, with DER and chain. */
    public Optional<CertificateRecord> find(long id) {
        return jdbc.sql("SELECT " + SUMMARY_COLUMNS + ", c.der, c.chain_pem FROM certificate c WHERE c.id = :id").param("id", id)
                .query((rs, i) -> read(rs, true)).optional().map(this::withTags);
    }

    /**
     * The certificate of one issuer (its DN, RFC 2253) with this serial: the inventory's key, since a serial is unique
     * only per issuer (RFC 5280 §4.1.2.2) and imported certificates of other CAs may reuse ours.
     */
    public Optional<CertificateRecord> findByIssuerAndSerial(String issuerDn, SerialNumber serial) {
        return jdbc.sql("SELECT " + SUMMARY_COLUMNS + ", c.der, c.chain_pem FROM certificate c WHERE c.issuer_dn = :issuerDn AND c.serial = :serial")
                .param("issuerDn", issuerDn).param("serial", serial.hex()).query((rs, i) -> read(rs, true)).optional().map(this::withTags);
    }

    /** Every certificate with this serial (one, unless imported certificates from several issuers share it). */
    public List<CertificateRecord> findBySerial(SerialNumber serial) {
        return jdbc.sql("SELECT " + SUMMARY_COLUMNS + ", c.der, c.chain_pem FROM certificate c WHERE c.serial = :serial ORDER BY c.id")
                .param("serial", serial.hex()).query((rs, i) -> read(rs, true)).list().stream().map(this::withTags).toList();
    }

    /** The certificates of a managed certificate, newest first. */
    public List<CertificateRecord> history(String managedName) {
        return withTags(jdbc.sql("SELECT " + SUMMARY_COLUMNS + " FROM certificate c WHERE c.managed_name = :name ORDER BY c.id DESC")
                .param("name", managedName).query((rs, i) -> read(rs, false)).list());
    }

    /** A page of certificates matching the query, without DER and chains. */
    public ResultPage<CertificateRecord> search(CertificateQuery query) {
        Instant now = clock.instant();
        StringBuilder where = new StringBuilder(" WHERE 1 = 1");
        Map<String, Object> params = new HashMap<>();
        if (query.owner() != null) {
            where.append(" AND c.owner = :owner");
            params.put("owner", query.owner());
        }
        if (query.tag() != null) {
            where.append(" AND EXISTS (SELECT 1 FROM certificate_tag t WHERE t.certificate_id = c.id AND t.tag = :tag)");
            params.put("tag", query.tag());
        }
        if (query.issuer() != null) {
            where.append(" AND c.issuer_name = :issuer");
            params.put("issuer", query.issuer());
        }
        if (query.source() != null) {
            where.append(" AND c.source = :source");
            params.put("source", query.source());
        }
        if (query.q() != null) {
            String like = "%" + escapeLike(query.q().toLowerCase(Locale.ROOT)) + "%";
            // One indexed lookup per column (trigram indexes on PostgreSQL), joined by UNION: an OR across the three would
            // scan the whole table.
            where.append(" AND c.id IN (SELECT s.id FROM certificate s WHERE LOWER(s.subject) LIKE :q ESCAPE '\\'"
                    + " UNION SELECT s.id FROM certificate s WHERE s.serial LIKE :q ESCAPE '\\'"
                    + " UNION SELECT n.certificate_id FROM certificate_name n WHERE n.name LIKE :q ESCAPE '\\')");
            params.put("q", like);
        }
        String status = query.status();
        if (status == null) {
            where.append(" AND c.status IN ('ISSUED', 'REVOKED')");
        } else if (status.equals(CertificateStatus.Effective.EXPIRED.name())) {
            where.append(" AND c.status = 'ISSUED' AND c.not_after <= :now");
        } else if (status.equals(CertificateStatus.ISSUED.name())) {
            where.append(" AND c.status = 'ISSUED' AND c.not_after > :now");
        } else {
            where.append(" AND c.status = :status");
            params.put("status", status);
        }
        if (query.expiringWithin() != null) {
            where.append(" AND c.not_after > :now AND c.not_after <= :horizon");
            params.put("horizon", Timestamps.of(now.plus(query.expiringWithin())));
        }
        params.put("now", Timestamps.of(now));
        String order = switch (query.sort() == null ? "-createdAt" : query.sort()) {
            case "notAfter" -> " ORDER BY c.not_after ASC, c.id ASC";
            case "-notAfter" -> " ORDER BY c.not_after DESC, c.id DESC";
            case "createdAt" -> " ORDER BY c.id ASC";
            default -> " ORDER BY c.id DESC";
        };
        int size = Math.max(1, Math.min(query.size(), MAX_PAGE_SIZE));
        int page = Math.max(0, query.page());
        // Counted up to COUNT_LIMIT + 1 rows: exact for the usual result, a lower bound for a huge one.
        long total = jdbc.sql("SELECT COUNT(*) FROM (SELECT 1 FROM certificate c" + where + " LIMIT " + (ResultPage.COUNT_LIMIT + 1) + ") counted")
                .params(params).query(Long.class).single();
        List<CertificateRecord> items = jdbc.sql("SELECT " + SUMMARY_COLUMNS + " FROM certificate c" + where + order
                        + " LIMIT :limit OFFSET :offset")
                .params(params).param("limit", size).param("offset", (long) page * size)
                .query((rs, i) -> read(rs, false)).list();
        return new ResultPage<>(withTags(items), total, total <= ResultPage.COUNT_LIMIT, page, size);
    }

    /**
     * Which unexpired certificates an incident's renewal advance covers: those of an issuer, of a profile, with given
     * serials, or issued before a time. Unset parts do not restrict; at least one must be set.
     */
    public record RenewalSelector(String issuerName, String profile, List<SerialNumber> serials, Instant issuedBefore) {
    }

    /** Marks the selected unexpired certificates as due for renewal now (RFC 9773 window in the past). Returns how many. */
    @Transactional
    public int advanceRenewal(RenewalSelector selector, Instant at) {
        StringBuilder where = new StringBuilder(" WHERE status = 'ISSUED' AND not_after > :at AND source <> 'IMPORTED' AND source <> 'CA'");
        Map<String, Object> params = new HashMap<>();
        params.put("at", Timestamps.of(at));
        if (selector.issuerName() != null) {
            where.append(" AND issuer_name = :issuer");
            params.put("issuer", selector.issuerName());
        }
        if (selector.profile() != null) {
            where.append(" AND profile = :profile");
            params.put("profile", selector.profile());
        }
        if (selector.serials() != null && !selector.serials().isEmpty()) {
            where.append(" AND serial IN (:serials)");
            params.put("serials", selector.serials().stream().map(SerialNumber::hex).toList());
        }
        if (selector.issuedBefore() != null) {
            where.append(" AND created_at < :before");
            params.put("before", Timestamps.of(selector.issuedBefore()));
        }
        return jdbc.sql("UPDATE certificate SET renewal_advanced_at = :at" + where).params(params).update();
    }

    /** When an operator advanced this certificate's renewal, if they did. */
    public Optional<Instant> renewalAdvancedAt(long id) {
        return jdbc.sql("SELECT renewal_advanced_at FROM certificate WHERE id = :id").param("id", id)
                .query((rs, i) -> Timestamps.read(rs, "renewal_advanced_at")).list().stream().filter(java.util.Objects::nonNull).findFirst();
    }

    /** The columns that come from the certificate itself, as named parameters. */
    private static Map<String, Object> certificateFields(CertificateView view, String chainPem) {
        Map<String, Object> fields = new HashMap<>();
        fields.put("subject", view.subject());
        fields.put("sans", String.join("\n", view.sans()));
        fields.put("alg", view.key().name());
        fields.put("size", view.key().bits());
        fields.put("nb", Timestamps.of(view.notBefore()));
        fields.put("na", Timestamps.of(view.notAfter()));
        fields.put("fp", view.fingerprint().sha256Hex());
        fields.put("der", view.der());
        fields.put("chain", chainPem);
        return fields;
    }

    private void insertNames(long id, List<String> names) {
        insertRows("certificate_name", "name", id, names.stream().map(n -> truncate(n.toLowerCase(Locale.ROOT), 255)).toList());
    }

    private void insertTags(long id, List<String> tags) {
        insertRows("certificate_tag", "tag", id, tags == null ? List.of() : tags);
    }

    /** One multi-row INSERT for a certificate's names or tags, duplicates removed. */
    private void insertRows(String table, String column, long id, List<String> values) {
        List<String> distinct = List.copyOf(new java.util.LinkedHashSet<>(values));
        if (distinct.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder("INSERT INTO ").append(table).append(" (certificate_id, ").append(column).append(") VALUES ");
        Map<String, Object> params = new HashMap<>();
        params.put("id", id);
        for (int i = 0; i < distinct.size(); i++) {
            sql.append(i == 0 ? "" : ", ").append("(:id, :v").append(i).append(')');
            params.put("v" + i, distinct.get(i));
        }
        jdbc.sql(sql.toString()).params(params).update();
    }

    private CertificateRecord withTags(CertificateRecord record) {
        return withTags(List.of(record)).get(0);
    }

    /** Loads the tags of a page of records in one query. */
    private List<CertificateRecord> withTags(List<CertificateRecord> records) {
        if (records.isEmpty()) {
            return records;
        }
        Map<Long, List<String>> tags = new LinkedHashMap<>();
        jdbc.sql("SELECT certificate_id, tag FROM certificate_tag WHERE certificate_id IN (:ids) ORDER BY tag")
                .param("ids", records.stream().map(CertificateRecord::id).toList())
                .query(rs -> {
                    tags.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(rs.getString(2));
                });
        return records.stream().map(r -> new CertificateRecord(r.id(), r.serial(), r.issuerDn(), r.issuerName(), r.status(), r.source(),
                r.profile(), r.subject(), r.sans(), r.keyAlgorithm(), r.keySize(), r.notBefore(), r.notAfter(), r.fingerprintSha256(),
                r.der(), r.chainPem(), r.owner(), List.copyOf(tags.getOrDefault(r.id(), List.of())), r.managedName(), r.predecessorId(),
                r.successorId(), r.requestedBy(), r.failureReason(), r.createdAt(), r.revocation())).toList();
    }

    private static CertificateRecord read(ResultSet rs, boolean full) throws SQLException {
        String sans = rs.getString("sans");
        Object keySize = rs.getObject("key_size");
        Object predecessor = rs.getObject("predecessor_id");
        Object successor = rs.getObject("successor_id");
        return new CertificateRecord(rs.getLong("id"), SerialNumber.parse(rs.getString("serial")), rs.getString("issuer_dn"),
                rs.getString("issuer_name"), CertificateStatus.valueOf(rs.getString("status")), CertificateSource.valueOf(rs.getString("source")),
                rs.getString("profile"), rs.getString("subject"), sans == null || sans.isEmpty() ? List.of() : List.of(sans.split("\n")),
                rs.getString("key_algorithm"), keySize == null ? null : ((Number) keySize).intValue(),
                Timestamps.read(rs, "not_before"), Timestamps.read(rs, "not_after"), rs.getString("fingerprint_sha256"),
                full ? rs.getBytes("der") : null, full ? rs.getString("chain_pem") : null, rs.getString("owner"), List.of(),
                rs.getString("managed_name"), predecessor == null ? null : ((Number) predecessor).longValue(),
                successor == null ? null : ((Number) successor).longValue(), rs.getString("requested_by"), rs.getString("failure_reason"),
                Timestamps.read(rs, "created_at"), rs.getString("revocation_reason") == null ? null
                        : new CertificateRecord.Revocation(Timestamps.read(rs, "revoked_at"), rs.getString("revocation_reason"),
                                rs.getString("revoked_by")));
    }

    private static String escapeLike(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    private static String truncate(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max);
    }
}
