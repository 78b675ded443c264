package dev.certwright.discovery;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionOperations;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.platform.Timestamps;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.Pem;

/**
 * The endpoints where certificates were seen: recording a served chain (each certificate found in the inventory by
 * issuer and serial, or recorded as DISCOVERED with no owner), reading a certificate's endpoints, the findings counts,
 * and setting the owner of what a host pattern serves.
 */
@Component
public class CertificateEndpoints {

    private static final String COLUMNS = "certificate_id, host, address, port, server_name, protocol, leaf, findings, first_seen, last_seen";

    private final JdbcClient jdbc;
    private final CertificateInventory inventory;
    private final AuditLog audit;
    private final Clock clock;
    private final TransactionOperations transactions;

    CertificateEndpoints(JdbcClient jdbc, CertificateInventory inventory, AuditLog audit, Clock clock, TransactionOperations transactions) {
        this.jdbc = jdbc;
        this.inventory = inventory;
        this.audit = audit;
        this.clock = clock;
        this.transactions = transactions;
    }

    /** The endpoints of one certificate, most recently seen first. */
    public List<Endpoint> of(long certificateId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM certificate_endpoint WHERE certificate_id = :id ORDER BY last_seen DESC, id LIMIT 500")
                .param("id", certificateId).query((rs, i) -> new Endpoint(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                        rs.getString(5).isEmpty() ? null : rs.getString(5), EndpointProtocol.valueOf(rs.getString(6)), rs.getBoolean(7),
                        ScanStore.lines(rs.getString(8).replace(' ', '\n')), Timestamps.read(rs, 9), Timestamps.read(rs, 10)))
                .list();
    }

    /** How many distinct leaf certificates carry each finding at an endpoint. */
    public Map<Finding, Long> findingCounts() {
        Map<Finding, Long> counts = new java.util.EnumMap<>(Finding.class);
        for (Finding f : Finding.values()) {
            counts.put(f, jdbc.sql("SELECT COUNT(DISTINCT certificate_id) FROM certificate_endpoint WHERE leaf AND findings LIKE :code")
                    .param("code", "%" + f.code() + "%").query(Long.class).single());
        }
        return counts;
    }

    /** The leaf certificates seen with this finding, most recently seen first. */
    public List<Long> withFinding(Finding finding, int limit) {
        return jdbc.sql("SELECT certificate_id FROM certificate_endpoint WHERE leaf AND findings LIKE :code GROUP BY certificate_id "
                        + "ORDER BY MAX(last_seen) DESC LIMIT :limit")
                .param("code", "%" + finding.code() + "%").param("limit", limit).query(Long.class).list();
    }

    /** Result of {@link #record}: the certificates of the chain (leaf first) and how many of them were new. */
    record Recorded(List<Long> certificateIds, int created) {
    }

    /**
     * Records one served chain at one endpoint, in one transaction: its certificates and where they were seen. Two
     * handshakes of a run often meet the same new certificate at once (a server's default certificate, with and without
     * SNI): the inventory's insert-if-absent waits for the other and records nothing, and the lookup after it finds the
     * other's row, with no unique-key error to abort the transaction (PostgreSQL).
     */
    Recorded record(ScanTargets.Address at, int port, String serverName, EndpointProtocol protocol, List<X509Certificate> chain,
            Set<Finding> findings, String scan) {
        return transactions.execute(tx -> recordOnce(at, port, serverName, protocol, chain, findings, scan));
    }

    private Recorded recordOnce(ScanTargets.Address at, int port, String serverName, EndpointProtocol protocol, List<X509Certificate> chain,
            Set<Finding> findings, String scan) {
        Instant now = clock.instant();
        List<Long> ids = new ArrayList<>();
        int created = 0;
        for (int i = 0; i < chain.size(); i++) {
            CertificateView view = CertificateView.of(chain.get(i));
            var known = inventory.findByIssuerAndSerial(view.issuer(), view.serial());
            long id;
            if (known.isPresent()) {
                id = known.get().id();
            } else {
                String rest = chain.subList(i + 1, chain.size()).stream().map(c -> Pem.encode(Pem.CERTIFICATE, der(c))).collect(Collectors.joining());
                var inserted = inventory.recordIfAbsent(view, rest.isEmpty() ? null : rest, CertificateSource.DISCOVERED, null, null, List.of(),
                        "discovery:" + scan);
                if (inserted.isPresent()) {
                    id = inserted.get();
                    created++;
                } else { // another handshake recorded it meanwhile
                    id = inventory.findByIssuerAndSerial(view.issuer(), view.serial()).orElseThrow().id();
                }
            }
            ids.add(id);
            String codes = i == 0 ? findings.stream().map(Finding::code).collect(Collectors.joining(" ")) : "";
            int updated = jdbc.sql("UPDATE certificate_endpoint SET host = :host, findings = :findings, last_seen = :now WHERE certificate_id = :id "
                            + "AND address = :address AND port = :port AND server_name = :sni AND protocol = :protocol")
                    .param("host", at.host()).param("findings", codes).param("now", Timestamps.of(now)).param("id", id).param("address", at.text())
                    .param("port", port).param("sni", serverName == null ? "" : serverName).param("protocol", protocol.name()).update();
            if (updated == 0) {
                jdbc.sql("INSERT INTO certificate_endpoint (certificate_id, host, address, port, server_name, protocol, leaf, findings, first_seen, "
                                + "last_seen) VALUES (:id, :host, :address, :port, :sni, :protocol, :leaf, :findings, :now, :now)")
                        .param("id", id).param("host", at.host()).param("address", at.text()).param("port", port)
                        .param("sni", serverName == null ? "" : serverName).param("protocol", protocol.name()).param("leaf", i == 0)
                        .param("findings", codes).param("now", Timestamps.of(now)).update();
            }
        }
        return new Recorded(ids, created);
    }

    /**
     * Sets the owner of every DISCOVERED certificate served at a host matching the pattern ({@code *} for any run of
     * characters), and whose owner is unset or {@code overwrite}; returns how many changed. Once an owner is set, the
     * notice scan sends it expiry notices like any other certificate's.
     */
    @Transactional
    public int assignOwner(String hostPattern, String owner, boolean overwrite, String actor) {
        String like = hostPattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").replace('*', '%');
        // The endpoints are this module's table, the certificates the inventory's (decision 55).
        List<Long> served = jdbc.sql("SELECT DISTINCT certificate_id FROM certificate_endpoint WHERE host LIKE :like ESCAPE '\\'")
                .param("like", like).query(Long.class).list();
        int changed = inventory.assignOwner(served, dev.certwright.inventory.CertificateSource.DISCOVERED, owner, overwrite);
        audit.append(actor, "discovery.owner-assigned", "endpoint-pattern", hostPattern, "owner=" + owner + " certificates=" + changed);
        return changed;
    }

    private static byte[] der(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
