package dev.certwright.inventory;

import java.math.BigInteger;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.platform.Timestamps;
import dev.certwright.x509.RevocationReason;
import dev.certwright.x509.SerialNumber;

/**
 * The revocation state of certificates issued here: revoke, release a hold, and the reads that CRLs and OCSP need.
 * <p>
 * Each issuer has a revision counter ({@code issuer_revocation}). A change takes the counter's row lock, increments
 * it, and stamps the certificate with the new value; the lock is held until commit, so per issuer the revisions are
 * in commit order. A CRL records the revision it was built from, and a delta CRL lists exactly the changes after its
 * base's revision.
 */
@Component
public class RevocationRecords {

    private static final int STREAM_FETCH_SIZE = 2000;

    private final JdbcClient jdbc;
    private final Clock clock;

    public RevocationRecords(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** One certificate's revocation state, as a CRL entry or an OCSP answer needs it. */
    public record RevocationEntry(long id, SerialNumber serial, CertificateStatus status, Instant notAfter, Instant revokedAt,
            RevocationReason reason) {

        public boolean revoked() {
            return status == CertificateStatus.REVOKED;
        }

        /** A serial reserved here but never issued: PENDING (signing not recorded yet) or FAILED. */
        public boolean reservedOnly() {
            return status == CertificateStatus.PENDING || status == CertificateStatus.FAILED;
        }
    }

    /**
     * Marks an ISSUED certificate REVOKED and returns the issuer's new revision. Returns empty, changing nothing, when
     * the row is not ISSUED (already revoked, or never signed).
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Long> revoke(long id, String issuerName, RevocationReason reason, Instant at, String actor) {
        long revision = nextRevision(issuerName);
        int updated = jdbc.sql("UPDATE certificate SET status = 'REVOKED', revoked_at = :at, revocation_reason = :reason, revoked_by = :actor, "
                        + "revocation_revision = :revision, updated_at = :now WHERE id = :id AND status = 'ISSUED'")
                .param("at", Timestamps.of(at)).param("reason", reason.name()).param("actor", actor).param("revision", revision)
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
        return updated == 1 ? Optional.of(revision) : Optional.empty();
    }

    /**
     * Releases a certificateHold: the certificate is ISSUED again, and the next delta CRL carries it with removeFromCRL
     * (RFC 5280 §5.3.1). Returns empty, changing nothing, when the certificate is not on hold.
     */
    @Transactional(propagation = Propagation.MANDATORY)
    public Optional<Long> releaseHold(long id, String issuerName, Instant at) {
        long revision = nextRevision(issuerName);
        int updated = jdbc.sql("UPDATE certificate SET status = 'ISSUED', revoked_at = NULL, revocation_reason = NULL, revoked_by = NULL, "
                        + "hold_released_at = :at, revocation_revision = :revision, updated_at = :at "
                        + "WHERE id = :id AND status = 'REVOKED' AND revocation_reason = 'certificateHold'")
                .param("at", Timestamps.of(at)).param("revision", revision).param("id", id).update();
        return updated == 1 ? Optional.of(revision) : Optional.empty();
    }

    /** The issuer's current revision: 0 before its first revocation. */
    public long revision(String issuerName) {
        return jdbc.sql("SELECT revision FROM issuer_revocation WHERE issuer_name = :issuer").param("issuer", issuerName)
                .query(Long.class).optional().orElse(0L);
    }

    /** One line of a CRL: the serial, when (epoch seconds), and why. */
    public record CrlLine(BigInteger serial, long epochSecond, RevocationReason reason) {
    }

    /**
     * Streams every certificate of this issuer that is revoked now (a full CRL's entries), without holding them all in
     * memory. Only the three columns a CRL entry needs are read, the time as epoch seconds, so that a million rows cost
     * little more than the database's own work. Must run in a transaction (PostgreSQL streams with a cursor only
     * outside auto-commit).
     */
    @Transactional(propagation = Propagation.MANDATORY, readOnly = true)
    public void forEachRevoked(String issuerName, Consumer<CrlLine> consumer) {
        jdbc.sql("SELECT serial, CAST(EXTRACT(EPOCH FROM revoked_at) AS BIGINT) AS at, revocation_reason FROM certificate "
                        + "WHERE issuer_name = :issuer AND revocation_revision > 0 AND status = 'REVOKED' AND source <> 'IMPORTED'")
                .withFetchSize(STREAM_FETCH_SIZE).param("issuer", issuerName)
                .query(rs -> {
                    consumer.accept(new CrlLine(new BigInteger(rs.getString(1), 16), rs.getLong(2), RevocationReason.valueOf(rs.getString(3))));
                });
    }

    /**
     * Streams the changes after {@code sinceRevision} (a delta CRL's entries): certificates revoked since, with their
     * reason, and holds released since, as removeFromCRL at the release time. Must run in a transaction.
     */
    @Transactional(propagation = Propagation.MANDATORY, readOnly = true)
    public void forEachChangeSince(String issuerName, long sinceRevision, Consumer<CrlLine> consumer) {
        jdbc.sql("SELECT serial, status, CAST(EXTRACT(EPOCH FROM COALESCE(revoked_at, hold_released_at)) AS BIGINT) AS at, revocation_reason "
                        + "FROM certificate WHERE issuer_name = :issuer AND revocation_revision > :since AND source <> 'IMPORTED'")
                .withFetchSize(STREAM_FETCH_SIZE).param("issuer", issuerName).param("since", sinceRevision)
                .query(rs -> {
                    boolean revoked = CertificateStatus.REVOKED.name().equals(rs.getString(2));
                    consumer.accept(new CrlLine(new BigInteger(rs.getString(1), 16), rs.getLong(3),
                            revoked ? RevocationReason.valueOf(rs.getString(4)) : RevocationReason.removeFromCRL));
                });
    }

    /**
     * The state of the certificate with this serial from this issuer, if it was issued here. PENDING and FAILED rows
     * (serials reserved but never signed) and imported certificates count as unknown.
     */
    public Optional<RevocationEntry> find(String issuerName, SerialNumber serial) {
        return jdbc.sql("SELECT id, serial, status, not_after, revoked_at, revocation_reason FROM certificate "
                        + "WHERE serial = :serial AND issuer_name = :issuer AND status IN ('ISSUED', 'REVOKED') AND source <> 'IMPORTED'")
                .param("serial", serial.hex()).param("issuer", issuerName).query((rs, i) -> read(rs)).optional();
    }

    /**
     * Locks the certificate's row until the caller's transaction ends and tells whether its status and reason are still
     * those of {@code entry}. A response signed from {@code entry} may be stored only then: a revocation that committed
     * after {@code entry} was read must not be overwritten by the older answer, and one still running waits for this
     * lock, then deletes what is stored (issue 19: OCSP said "good" after an acknowledged revocation).
     */
    public boolean lockUnchanged(RevocationEntry entry) {
        return jdbc.sql("SELECT status, revocation_reason FROM certificate WHERE id = :id FOR UPDATE").param("id", entry.id())
                .query((rs, i) -> entry.status().name().equals(rs.getString("status"))
                        && Objects.equals(entry.reason() == null ? null : entry.reason().name(), rs.getString("revocation_reason")))
                .optional().orElse(false);
    }

    /**
     * What OCSP answers from: as {@link #find}, and also a serial this issuer reserved but never issued (PENDING or
     * FAILED), which RFC 6960 §2.2 has answered as revoked, never as good or unknown.
     */
    public Optional<RevocationEntry> findForOcsp(String issuerName, SerialNumber serial) {
        return jdbc.sql("SELECT id, serial, status, not_after, revoked_at, revocation_reason FROM certificate "
                        + "WHERE serial = :serial AND issuer_name = :issuer AND source <> 'IMPORTED'")
                .param("serial", serial.hex()).param("issuer", issuerName).query((rs, i) -> read(rs)).optional();
    }

    /** A certificate issued here that OCSP answers for, with its issuer: the pre-signing job's unit of work. */
    public record IssuedEntry(String issuerName, RevocationEntry entry) {
    }

    /**
     * Certificates issued here with an id above {@code afterId}, in id order: what the OCSP pre-signing job has not
     * seen yet. OCSP responder certificates are left out (they carry id-pkix-ocsp-nocheck).
     */
    public List<IssuedEntry> issuedAfter(long afterId, int limit) {
        return jdbc.sql("SELECT id, serial, status, not_after, revoked_at, revocation_reason, issuer_name FROM certificate "
                        + "WHERE id > :after AND status IN ('ISSUED', 'REVOKED') AND issuer_name IS NOT NULL AND source <> 'IMPORTED' "
                        + "AND (purpose IS NULL OR purpose <> 'OCSP_RESPONDER') ORDER BY id LIMIT :limit")
                .param("after", afterId).param("limit", limit)
                .query((rs, i) -> new IssuedEntry(rs.getString("issuer_name"), read(rs))).list();
    }

    private long nextRevision(String issuerName) {
        // The UPDATE takes the row lock that orders this issuer's changes; the INSERT makes the row on first use.
        int updated = jdbc.sql("UPDATE issuer_revocation SET revision = revision + 1 WHERE issuer_name = :issuer")
                .param("issuer", issuerName).update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO issuer_revocation (issuer_name, revision) VALUES (:issuer, 0) ON CONFLICT DO NOTHING")
                    .param("issuer", issuerName).update();
            jdbc.sql("UPDATE issuer_revocation SET revision = revision + 1 WHERE issuer_name = :issuer").param("issuer", issuerName).update();
        }
        return revision(issuerName);
    }

    private static RevocationEntry read(ResultSet rs) throws SQLException {
        String reason = rs.getString("revocation_reason");
        return new RevocationEntry(rs.getLong("id"), SerialNumber.parse(rs.getString("serial")), CertificateStatus.valueOf(rs.getString("status")),
                Timestamps.read(rs, "not_after"), Timestamps.read(rs, "revoked_at"),
                reason == null ? null : RevocationReason.valueOf(reason));
    }
}
