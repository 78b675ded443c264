package dev.certwright.inventory;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
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
                            + "renew_before, rekey, targets, created_by, created_at, updated_at) VALUES (:name, :profile, :dns, :ips, :alg, "
                            + ":owner, :tags, :validity, :renewBefore, :rekey, :targets, :createdBy, :now, :now)")
                    .param("name", spec.name()).param("profile", spec.profile())
                    .param("dns", String.join("\n", spec.dnsNames())).param("ips", String.join("\n", spec.ipAddresses()))
                    .param("alg", spec.keyAlgorithm()).param("owner", spec.owner()).param("tags", String.join("\n", spec.tags()))
                    .param("validity", spec.validity() == null ? null : spec.validity().toString())
                    .param("renewBefore", spec.renewBefore() == null ? null : spec.renewBefore().toString())
                    .param("rekey", spec.rekey()).param("targets", String.join("\n", spec.targets()))
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

    /** Makes an instance the slot's current certificate. */
    @Transactional
    public void setCurrent(String name, long certificateId) {
        jdbc.sql("UPDATE managed_certificate SET current_certificate_id = :cert, updated_at = :now WHERE name = :name")
                .param("cert", certificateId).param("now", Timestamps.of(clock.instant())).param("name", name).update();
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
                rs.getBoolean("rekey"), lines(rs.getString("targets")), current == null ? null : ((Number) current).longValue(),
                rs.getString("created_by"), Timestamps.read(rs, "created_at"));
    }

    private static List<String> lines(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
