package dev.certwright.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.platform.Timestamps;

/** Storage of managed certificates (the slots; their instances are in {@link CertificateInventory}). */
@Component
public class ManagedCertificates {

    private final JdbcClient jdbc;
    private final Clock clock;

    public ManagedCertificates(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Creates the slot; a taken name is DUPLICATE. */
    @Transactional
    public ManagedCertificate create(ManagedCertificate spec) {
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        try {
            jdbc.sql("INSERT INTO managed_certificate (name, profile, dns_names, ip_addresses, key_algorithm, owner, tags, validity, "
                            + "renew_before, rekey, revoke_superseded, key_mode, targets, created_by, created_at, updated_at) VALUES (:name, :profile, :dns, :ips, :alg, "
                            + ":owner, :tags, :validity, :renewBefore, :rekey, :revokeSuperseded, :keyMode, :targets, :createdBy, :now, :now)")
                    .param("name", spec.name()).param("profile", spec.profile())
                    .param("dns", String.join("\n", spec.dnsNames())).param("ips", String.join("\n", spec.ipAddresses()))
                    .param("alg", spec.keyAlgorithm()).param("owner", spec.owner()).param("tags", String.join("\n", spec.tags()))
                    .param("validity", spec.validity() == null ? null : spec.validity().toString())
                    .param("renewBefore", spec.renewBefore() == null ? null : spec.renewBefore().toString())
                    .param("rekey", spec.rekey()).param("revokeSuperseded", spec.revokeSuperseded()).param("keyMode", spec.keyMode().text()).param("targets", String.join("\n", spec.targets()))
                    .param("createdBy", spec.createdBy()).param("now", Timestamps.of(clock.instant()))
                    .update(keys, "id");
        } catch (DuplicateKeyException e) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "a managed certificate named '" + spec.name() + "' already exists");
        }
        return find(spec.name()).orElseThrow();
    }

    public Optional<ManagedCertificate> find(String name) {
        return jdbc.sql("SELECT * FROM managed_certificate WHERE name = :name").param("name", name).query(ManagedCertificates::read).optional();
    }

    /** Replaces the deployment targets a slot names; false when there is no such slot. */
    @Transactional
    public boolean setTargets(String name, List<String> targets) {
        return jdbc.sql("UPDATE managed_certificate SET targets = :targets, updated_at = :now WHERE name = :name")
                .param("targets", String.join("\n", targets)).param("now", Timestamps.of(clock.instant())).param("name", name).update() > 0;
    }

    /** The slots that name this deployment target. */
    public List<String> namingTarget(String target) {
        return jdbc.sql("SELECT name, targets FROM managed_certificate WHERE targets LIKE :pattern ORDER BY name")
                .param("pattern", "%" + target + "%")
                .query((rs, i) -> lines(rs.getString("targets")).contains(target) ? rs.getString("name") : null).list().stream()
                .filter(java.util.Objects::nonNull).toList();
    }

    /** A slot as the dashboard lists it: its spec summary, current instance and renewal state. */
    public record Summary(String name, String profile, String owner, List<String> dnsNames, List<String> targets, String keyMode,
            Long currentId, String currentSerial, Instant notAfter, Instant renewAt, int attempts, Instant flaggedAt) {
    }

    /** A page of slots whose name or owner contains {@code q} (all when null), by name. */
    public List<Summary> page(String q, int page, int size) {
        return jdbc.sql("SELECT m.name, m.profile, m.owner, m.dns_names, m.targets, m.key_mode, m.current_certificate_id, c.serial, c.not_after, "
                        + "m.renew_at, m.renew_attempts, m.renew_flagged_at FROM managed_certificate m LEFT JOIN certificate c ON c.id = m.current_certificate_id"
                        + (q == null ? "" : " WHERE LOWER(m.name) LIKE :q OR LOWER(m.owner) LIKE :q") + " ORDER BY m.name LIMIT :limit OFFSET :offset")
                .params(q == null ? java.util.Map.of() : java.util.Map.of("q", "%" + q.toLowerCase(java.util.Locale.ROOT) + "%"))
                .param("limit", size).param("offset", (long) page * size)
                .query((rs, i) -> new Summary(rs.getString(1), rs.getString(2), rs.getString(3), lines(rs.getString(4)), lines(rs.getString(5)),
                        rs.getString(6), (Long) rs.getObject(7, Long.class), rs.getString(8), Timestamps.read(rs, "not_after"),
                        Timestamps.read(rs, "renew_at"), rs.getInt(11), Timestamps.read(rs, "renew_flagged_at")))
                .list();
    }

    public long count(String q) {
        return jdbc.sql("SELECT COUNT(*) FROM managed_certificate m" + (q == null ? "" : " WHERE LOWER(m.name) LIKE :q OR LOWER(m.owner) LIKE :q"))
                .params(q == null ? java.util.Map.of() : java.util.Map.of("q", "%" + q.toLowerCase(java.util.Locale.ROOT) + "%"))
                .query(Long.class).single();
    }

    /** Slots with at least one deployment target. */
    public List<ManagedCertificate> withTargets() {
        return jdbc.sql("SELECT * FROM managed_certificate WHERE targets <> '' ORDER BY name").query(ManagedCertificates::read).list();
    }

    /** Makes an instance the slot's current certificate. */
    @Transactional
    public void setCurrent(String name, long certificateId) {
        jdbc.sql("UPDATE managed_certificate SET current_certificate_id = :cert, updated_at = :now WHERE name = :name")
                .param("cert", certificateId).param("now", Timestamps.of(clock.instant())).param("name", name).update();
    }

    /**
     * A slot's renewal state.
     *
     * @param renewAt when the renewal job next takes it up (due time, retry time or lease end); null when nothing is scheduled
     * @param attempts failed attempts since the last success
     * @param error the last failure
     * @param flaggedAt when automatic renewal gave up, or null
     */
    public record RenewalState(String name, Instant renewAt, int attempts, String error, Instant flaggedAt) {
    }

    public Optional<RenewalState> renewalState(String name) {
        return jdbc.sql("SELECT name, renew_at, renew_attempts, renew_error, renew_flagged_at FROM managed_certificate WHERE name = :name")
                .param("name", name).query(ManagedCertificates::readRenewal).optional();
    }

    /** Slots due for renewal at {@code now}, soonest first (index on renew_at). */
    public List<RenewalState> dueForRenewal(Instant now, int limit) {
        return jdbc.sql("SELECT name, renew_at, renew_attempts, renew_error, renew_flagged_at FROM managed_certificate "
                        + "WHERE renew_at <= :now AND renew_flagged_at IS NULL ORDER BY renew_at LIMIT :limit")
                .param("now", Timestamps.of(now)).param("limit", limit).query(ManagedCertificates::readRenewal).list();
    }

    /**
     * Slots with an instance but no due time and no flag: their instance was issued before anything could schedule it
     * (the server certificate at startup) or before renewal existed. Name and current certificate id.
     */
    public List<java.util.Map.Entry<String, Long>> unscheduled(int limit) {
        return jdbc.sql("SELECT name, current_certificate_id FROM managed_certificate WHERE renew_at IS NULL AND renew_flagged_at IS NULL "
                        + "AND current_certificate_id IS NOT NULL ORDER BY id LIMIT :limit")
                .param("limit", limit).query((rs, i) -> java.util.Map.entry(rs.getString("name"), rs.getLong("current_certificate_id"))).list();
    }

    /** Schedules the renewal of a new current instance, clearing past failures. */
    @Transactional
    public void scheduleRenewal(String name, Instant renewAt) {
        jdbc.sql("UPDATE managed_certificate SET renew_at = :at, renew_attempts = 0, renew_error = NULL, renew_flagged_at = NULL "
                + "WHERE name = :name").param("at", Timestamps.of(renewAt)).param("name", name).update();
    }

    /**
     * Moves the due time of a slot whose current instance is still {@code certificateId} and whose renew_at is still
     * {@code seen}, unless its renewal failed or was flagged (those keep their retry time and flag). Returns whether it
     * moved.
     */
    @Transactional
    public boolean moveRenewal(String name, long certificateId, Instant seen, Instant renewAt) {
        return jdbc.sql("UPDATE managed_certificate SET renew_at = :at WHERE name = :name AND current_certificate_id = :id AND renew_at = :seen "
                        + "AND renew_attempts = 0 AND renew_flagged_at IS NULL")
                .param("at", Timestamps.of(renewAt)).param("name", name).param("id", certificateId).param("seen", Timestamps.of(seen))
                .update() == 1;
    }

    /**
     * Claims a due slot for one renewal: moves its renew_at from the value seen to the end of a lease. Only one node's
     * claim succeeds; if that node dies, the lease runs out and the slot is due again.
     */
    @Transactional
    public boolean claimRenewal(String name, Instant seen, Instant leaseUntil) {
        return jdbc.sql("UPDATE managed_certificate SET renew_at = :lease WHERE name = :name AND renew_at = :seen AND renew_flagged_at IS NULL")
                .param("lease", Timestamps.of(leaseUntil)).param("name", name).param("seen", Timestamps.of(seen)).update() == 1;
    }

    /** Records a failed attempt: retried at {@code retryAt}, or flagged (no more automatic attempts) when it is null. */
    @Transactional
    public void renewalFailed(String name, int attempts, String error, Instant retryAt) {
        String cut = error == null ? null : error.length() > 2000 ? error.substring(0, 2000) : error;
        jdbc.sql("UPDATE managed_certificate SET renew_attempts = :attempts, renew_error = :error, renew_at = :retry, "
                        + "renew_flagged_at = CASE WHEN :flag THEN :now ELSE NULL END WHERE name = :name")
                .param("attempts", attempts).param("error", cut).param("retry", Timestamps.of(retryAt)).param("flag", retryAt == null)
                .param("now", Timestamps.of(clock.instant())).param("name", name).update();
    }

    private static RenewalState readRenewal(ResultSet rs, int row) throws SQLException {
        return new RenewalState(rs.getString("name"), Timestamps.read(rs, "renew_at"), rs.getInt("renew_attempts"), rs.getString("renew_error"),
                Timestamps.read(rs, "renew_flagged_at"));
    }

    /** Deletes a slot that never got a certificate (its first issuance failed), so the name can be used again. */
    @Transactional
    public void deleteIfEmpty(String name) {
        jdbc.sql("DELETE FROM managed_certificate WHERE name = :name AND current_certificate_id IS NULL").param("name", name).update();
    }

    private static ManagedCertificate read(ResultSet rs, int row) throws SQLException {
        Object current = rs.getObject("current_certificate_id");
        String validity = rs.getString("validity");
        String renewBefore = rs.getString("renew_before");
        return new ManagedCertificate(rs.getLong("id"), rs.getString("name"), rs.getString("profile"), lines(rs.getString("dns_names")),
                lines(rs.getString("ip_addresses")), rs.getString("key_algorithm"), rs.getString("owner"), lines(rs.getString("tags")),
                validity == null ? null : Duration.parse(validity), renewBefore == null ? null : Duration.parse(renewBefore),
                rs.getBoolean("rekey"), rs.getBoolean("revoke_superseded"), KeyMode.ofText(rs.getString("key_mode")).orElseThrow(), lines(rs.getString("targets")), current == null ? null : ((Number) current).longValue(),
                rs.getString("created_by"), Timestamps.read(rs, "created_at"));
    }

    private static List<String> lines(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
