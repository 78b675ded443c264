package dev.certwright.issuance.internal;

import java.security.cert.X509Certificate;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.ca.KeyLocation;
import dev.certwright.platform.Timestamps;
import dev.certwright.policy.IssuerSource;
import dev.certwright.x509.Pem;

/**
 * The tables behind the issuer registry: {@code ca_issuer}, one row per issuer generation, and {@code ca_keystore},
 * the CA keystore with its version. SQL only; what the rows mean is {@code CaHierarchy}'s.
 */
@Component
public class IssuerRecords {

    private static final String COLUMNS = "name, logical_name, generation, source, status, key_location, key_algorithm, public_key, subject, "
            + "path_length, parent_name, certificate, chain_pem, predecessor, successor, switch_at, cross_certificate, created_at, updated_at";

    private final JdbcClient jdbc;

    IssuerRecords(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** What a row says of a generation's standing; the state a person sees also depends on time and its successor. */
    public enum Status {
        /** The key exists; the certificate has not been installed (an external issuer). */
        AWAITING_CERTIFICATE,
        /** It has its certificate and signs. */
        READY,
        /** Removed from the configuration with nothing left to answer for, or with every certificate it signed expired. */
        RETIRED
    }

    /**
     * One generation.
     *
     * @param chain its parents' certificates, the one that signed it first and the root last (empty for a root)
     */
    public record Row(String name, String logicalName, int generation, IssuerSource source, Status status, KeyLocation keyLocation,
            String keyAlgorithm, byte[] publicKey, String subject, Integer pathLength, String parentName, X509Certificate certificate,
            List<X509Certificate> chain, String predecessor, String successor, Instant switchAt, X509Certificate crossCertificate,
            Instant createdAt, Instant updatedAt) {

        public Row {
            chain = chain == null ? List.of() : List.copyOf(chain);
        }

        public Row withCertificate(X509Certificate installed, List<X509Certificate> parents, Instant now) {
            return new Row(name, logicalName, generation, source, Status.READY, keyLocation, keyAlgorithm, publicKey, subject, pathLength,
                    parentName, installed, parents, predecessor, successor, switchAt, crossCertificate, createdAt, now);
        }
    }

    /** The stored keystore and its version. */
    public record StoredKeystore(byte[] bytes, long version) {
    }

    public List<Row> all() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM ca_issuer ORDER BY logical_name, generation").query(IssuerRecords::row).list();
    }

    public void insert(Row row) {
        jdbc.sql("INSERT INTO ca_issuer (" + COLUMNS + ") VALUES (:name, :logical, :generation, :source, :status, :location, :alg, :pub, "
                        + ":subject, :pathLength, :parent, :cert, :chain, :predecessor, :successor, :switchAt, :cross, :created, :updated)")
                .param("name", row.name()).param("logical", row.logicalName()).param("generation", row.generation())
                .param("source", row.source().name()).param("status", row.status().name()).param("location", row.keyLocation().name())
                .param("alg", row.keyAlgorithm()).param("pub", row.publicKey()).param("subject", row.subject())
                .param("pathLength", row.pathLength()).param("parent", row.parentName()).param("cert", der(row.certificate()))
                .param("chain", row.certificate() == null ? null : Pem.encodeChain(row.chain())).param("predecessor", row.predecessor())
                .param("successor", row.successor()).param("switchAt", row.switchAt() == null ? null : Timestamps.of(row.switchAt()))
                .param("cross", der(row.crossCertificate())).param("created", Timestamps.of(row.createdAt()))
                .param("updated", Timestamps.of(row.updatedAt())).update();
    }

    /** Installs an awaiting generation's certificate; false when it was not awaiting one any more (another node). */
    public boolean installCertificate(String name, X509Certificate certificate, List<X509Certificate> parents, Instant now) {
        return jdbc.sql("UPDATE ca_issuer SET certificate = :cert, chain_pem = :chain, status = 'READY', updated_at = :now "
                        + "WHERE name = :name AND status = 'AWAITING_CERTIFICATE'")
                .param("cert", der(certificate)).param("chain", Pem.encodeChain(parents)).param("now", Timestamps.of(now)).param("name", name)
                .update() == 1;
    }

    public void setStatus(String name, Status status, Instant now) {
        jdbc.sql("UPDATE ca_issuer SET status = :status, updated_at = :now WHERE name = :name")
                .param("status", status.name()).param("now", Timestamps.of(now)).param("name", name).update();
    }

    /**
     * Retires a generation that has its certificate; false when it was not READY any more (another node retired it
     * first), so that only one node audits it.
     */
    public boolean retire(String name, Instant now) {
        return jdbc.sql("UPDATE ca_issuer SET status = 'RETIRED', updated_at = :now WHERE name = :name AND status = 'READY'")
                .param("now", Timestamps.of(now)).param("name", name).update() == 1;
    }

    /** Links a successor to its predecessor, both ways, with the time issuance moves to it. */
    public void link(String predecessor, String successor, Instant switchAt, Instant now) {
        jdbc.sql("UPDATE ca_issuer SET successor = :s, updated_at = :now WHERE name = :p")
                .param("s", successor).param("p", predecessor).param("now", Timestamps.of(now)).update();
        jdbc.sql("UPDATE ca_issuer SET predecessor = :p, switch_at = :at, updated_at = :now WHERE name = :s")
                .param("s", successor).param("p", predecessor).param("at", Timestamps.of(switchAt)).param("now", Timestamps.of(now)).update();
    }

    /** A short text that changes whenever a row is added or changed, for nodes that watch the registry. */
    public String fingerprint() {
        return jdbc.sql("SELECT COUNT(*), MAX(updated_at) FROM ca_issuer")
                .query((rs, n) -> rs.getLong(1) + "@" + Timestamps.read(rs, 2)).single();
    }

    // --- the keystore row ---

    public Optional<StoredKeystore> keystore() {
        return jdbc.sql("SELECT keystore, version FROM ca_keystore WHERE id = 1")
                .query((rs, n) -> new StoredKeystore(rs.getBytes(1), rs.getLong(2))).optional();
    }

    public long keystoreVersion() {
        return jdbc.sql("SELECT version FROM ca_keystore WHERE id = 1").query(Long.class).optional().orElse(0L);
    }

    /** The first keystore; a DuplicateKeyException means another node stored one first. */
    public void insertKeystore(byte[] bytes, Instant now) {
        jdbc.sql("INSERT INTO ca_keystore (id, keystore, created_at, version) VALUES (1, :ks, :now, 1)")
                .param("ks", bytes).param("now", Timestamps.of(now)).update();
    }

    /** Locks the keystore row until the transaction ends and returns its version. */
    public long lockKeystore() {
        return jdbc.sql("SELECT version FROM ca_keystore WHERE id = 1 FOR UPDATE").query(Long.class).single();
    }

    /** Replaces the keystore (the caller holds the lock) and returns the new version. */
    public long updateKeystore(byte[] bytes, long lockedVersion) {
        jdbc.sql("UPDATE ca_keystore SET keystore = :ks, version = :next WHERE id = 1 AND version = :v")
                .param("ks", bytes).param("next", lockedVersion + 1).param("v", lockedVersion).update();
        return lockedVersion + 1;
    }

    // --- the cluster's current key-encryption key (kek_rotation, decision 68) ---

    /** The KEK every node wraps new keys under, as the rotation row names it. */
    public String currentKekId() {
        return jdbc.sql("SELECT kek_id FROM kek_rotation WHERE id = 1").query(String.class).optional()
                .orElseThrow(() -> new IllegalStateException("the kek_rotation row is missing (migration V26)"));
    }

    /**
     * A CA created with its wraps under a token KEK from the start ({@code keyStore.kek: token}): the rotation row names
     * it, COMPLETED, with nothing to re-wrap. In the transaction that stores the first keystore.
     */
    public void startWithKek(String kekId, Instant now) {
        jdbc.sql("UPDATE kek_rotation SET kek_id = :kek, state = 'COMPLETED', requested_by = 'system', started_at = :now, finished_at = :now, "
                        + "rewrapped = 0, unreadable = 0 WHERE id = 1 AND state = 'NONE'")
                .param("kek", kekId).param("now", Timestamps.of(now)).update();
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate == null ? null : certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Row row(ResultSet rs, int n) throws SQLException {
        byte[] cert = rs.getBytes("certificate");
        String chain = rs.getString("chain_pem");
        byte[] cross = rs.getBytes("cross_certificate");
        int pathLength = rs.getInt("path_length");
        Integer path = rs.wasNull() ? null : pathLength;
        return new Row(rs.getString("name"), rs.getString("logical_name"), rs.getInt("generation"), IssuerSource.valueOf(rs.getString("source")),
                Status.valueOf(rs.getString("status")), KeyLocation.valueOf(rs.getString("key_location")), rs.getString("key_algorithm"),
                rs.getBytes("public_key"), rs.getString("subject"), path, rs.getString("parent_name"),
                cert == null ? null : Pem.certificate(cert), chain == null || chain.isBlank() ? List.of() : Pem.decodeCertificates(chain),
                rs.getString("predecessor"), rs.getString("successor"), Timestamps.read(rs, "switch_at"),
                cross == null ? null : Pem.certificate(cross), Timestamps.read(rs, "created_at"), Timestamps.read(rs, "updated_at"));
    }
}
