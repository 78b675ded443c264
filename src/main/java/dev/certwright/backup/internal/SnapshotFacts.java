package dev.certwright.backup.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.certwright.audit.Checkpoint;

/**
 * What the manifest says about the database, read in the transaction the dump is made from, so that the figures
 * describe exactly what the dump holds. These are the backup module's only reads of other modules' tables
 * (decision 55's exception, decision 69): a dump reads every table anyway, and the command line has no module beans to
 * ask, since it runs without Spring.
 *
 * @param keystore the CA keystore row, or null before the CA was first created
 */
public record SnapshotFacts(String product, String schemaVersion, Map<String, Long> crlNumbers, Map<String, Long> counts,
        List<Checkpoint.Head> auditHeads, byte[] keystore) {

    public static SnapshotFacts read(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
        String schema = single(c, "SELECT version FROM flyway_schema_history WHERE success = TRUE AND version IS NOT NULL "
                + "ORDER BY installed_rank DESC LIMIT 1");
        Map<String, Long> crlNumbers = new LinkedHashMap<>();
        try (PreparedStatement s = c.prepareStatement("SELECT issuer_name, MAX(crl_number) FROM crl GROUP BY issuer_name ORDER BY issuer_name");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                crlNumbers.put(rs.getString(1), rs.getLong(2));
            }
        }
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("certificates", count(c, "SELECT COUNT(*) FROM certificate"));
        counts.put("revokedCertificates", count(c, "SELECT COUNT(*) FROM certificate WHERE status = 'REVOKED'"));
        counts.put("managedCertificates", count(c, "SELECT COUNT(*) FROM managed_certificate"));
        counts.put("crls", count(c, "SELECT COUNT(*) FROM crl"));
        counts.put("auditEntries", count(c, "SELECT COUNT(*) FROM audit_log"));
        List<Checkpoint.Head> heads = auditHeads(c);
        byte[] keystore = null;
        try (PreparedStatement s = c.prepareStatement("SELECT keystore FROM ca_keystore WHERE id = 1"); ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
                keystore = rs.getBytes(1);
            }
        }
        return new SnapshotFacts(product, schema, crlNumbers, counts, heads, keystore);
    }

    /** The heads of the chains that hold entries, as a checkpoint names them. */
    public static List<Checkpoint.Head> auditHeads(Connection c) throws SQLException {
        List<Checkpoint.Head> heads = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement("SELECT chain, last_id, entries, last_hash FROM audit_head WHERE entries > 0 ORDER BY chain");
                ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                heads.add(new Checkpoint.Head(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getString(4).trim()));
            }
        }
        return heads;
    }

    private static String single(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    private static long count(Connection c, String sql) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql); ResultSet rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
