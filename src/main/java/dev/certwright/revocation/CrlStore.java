package dev.certwright.revocation;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/** Published CRLs in the database (table {@code crl}): the newest of each kind is the one served by every node. */
@Component
class CrlStore {

    enum Kind {
        FULL, DELTA
    }

    /** A published CRL without its bytes. {@code revision} is the issuer's revocation revision it was built from. */
    record Published(String issuer, long number, Kind kind, Long baseNumber, Instant thisUpdate, Instant nextUpdate, long revision,
            long entries, long sizeBytes, boolean scheduled) {
    }

    private static final String COLUMNS = "issuer_name, crl_number, kind, base_number, this_update, next_update, revision, entries, "
            + "size_bytes, scheduled";

    private final JdbcClient jdbc;
    private final JdbcTemplate template;

    CrlStore(JdbcClient jdbc, JdbcTemplate template) {
        this.jdbc = jdbc;
        this.template = template;
    }

    Optional<Published> latest(String issuer, Kind kind) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM crl WHERE issuer_name = :issuer AND kind = :kind ORDER BY crl_number DESC LIMIT 1")
                .param("issuer", issuer).param("kind", kind.name()).query((rs, i) -> read(rs)).optional();
    }

    /** The newest full CRL published on schedule: the base that delta CRLs refer to. */
    Optional<Published> latestBase(String issuer) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM crl WHERE issuer_name = :issuer AND kind = 'FULL' AND scheduled = TRUE "
                        + "ORDER BY crl_number DESC LIMIT 1")
                .param("issuer", issuer).query((rs, i) -> read(rs)).optional();
    }

    /**
     * RFC 5280 §5.2.3: CRL numbers increase monotonically; full and delta CRLs of an issuer share one sequence. The next
     * number is the larger of the last stored number + 1 and the publication time in epoch milliseconds. The stored
     * number alone goes backwards when the newest rows are lost (a write lost in a crash, a database restored from a
     * backup): the next CRL would then reuse a number that relying parties, and this node's crl-cache, already hold
     * with other contents. The time floor moves past every number handed out before, as long as the clock does not go
     * back and fewer than a thousand CRLs per second were published (a CRL takes a database insert; the job publishes
     * at most two per issuer per check). A number stays far below the 20 octets §5.2.3 allows (a long).
     */
    long nextNumber(String issuer, long epochMillis) {
        long next = jdbc.sql("SELECT COALESCE(MAX(crl_number), 0) + 1 FROM crl WHERE issuer_name = :issuer").param("issuer", issuer)
                .query(Long.class).single();
        return Math.max(next, epochMillis);
    }

    /** Stores a CRL, streaming its bytes from the file. */
    void insert(Published crl, Path der) {
        try (InputStream in = Files.newInputStream(der)) {
            template.update("INSERT INTO crl (" + COLUMNS + ", der) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", ps -> {
                ps.setString(1, crl.issuer());
                ps.setLong(2, crl.number());
                ps.setString(3, crl.kind().name());
                ps.setObject(4, crl.baseNumber());
                ps.setObject(5, Timestamps.of(crl.thisUpdate()));
                ps.setObject(6, Timestamps.of(crl.nextUpdate()));
                ps.setLong(7, crl.revision());
                ps.setLong(8, crl.entries());
                ps.setLong(9, crl.sizeBytes());
                ps.setBoolean(10, crl.scheduled());
                ps.setBinaryStream(11, in, crl.sizeBytes());
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Deletes CRLs that are neither the newest full, the newest delta, nor the base the newest delta refers to.
     */
    void prune(String issuer) {
        jdbc.sql("DELETE FROM crl WHERE issuer_name = :issuer AND crl_number < (SELECT MIN(n) FROM ("
                        + "SELECT MAX(crl_number) AS n FROM crl WHERE issuer_name = :issuer AND kind = 'FULL' "
                        + "UNION ALL SELECT MAX(crl_number) FROM crl WHERE issuer_name = :issuer AND kind = 'DELTA' "
                        + "UNION ALL SELECT MAX(base_number) FROM crl WHERE issuer_name = :issuer AND kind = 'DELTA') AS keep WHERE n IS NOT NULL)")
                .param("issuer", issuer).update();
    }

    /** Copies a CRL's bytes into a file (atomically: a reader never sees half a file). */
    void copyTo(String issuer, long number, Path target) {
        Path partial = target.resolveSibling(target.getFileName() + ".part-" + Thread.currentThread().threadId());
        template.query("SELECT der FROM crl WHERE issuer_name = ? AND crl_number = ?", rs -> {
            try (InputStream in = rs.getBinaryStream(1)) {
                Files.copy(in, partial, StandardCopyOption.REPLACE_EXISTING);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + target, e);
            }
        }, issuer, number);
    }

    private static Published read(ResultSet rs) throws SQLException {
        Object base = rs.getObject("base_number");
        return new Published(rs.getString("issuer_name"), rs.getLong("crl_number"), Kind.valueOf(rs.getString("kind")),
                base == null ? null : ((Number) base).longValue(), Timestamps.read(rs, "this_update"), Timestamps.read(rs, "next_update"),
                rs.getLong("revision"), rs.getLong("entries"), rs.getLong("size_bytes"), rs.getBoolean("scheduled"));
    }
}
