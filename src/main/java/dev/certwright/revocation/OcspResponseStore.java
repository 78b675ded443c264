package dev.certwright.revocation;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.inventory.RevocationRecords;
import dev.certwright.inventory.RevocationRecords.RevocationEntry;
import dev.certwright.platform.Timestamps;

/** Pre-signed OCSP responses (table {@code ocsp_response}), one per certificate, and the pre-signing job's position. */
@Component
class OcspResponseStore {

    /** A signed response with its validity. */
    record Stored(byte[] der, Instant thisUpdate, Instant nextUpdate) {
    }

    /** A response to refresh. */
    record Key(String issuer, String serial) {
    }

    private final JdbcClient jdbc;
    private final RevocationRecords records;

    OcspResponseStore(JdbcClient jdbc, RevocationRecords records) {
        this.jdbc = jdbc;
        this.records = records;
    }

    Optional<Stored> find(String issuer, String serial) {
        return jdbc.sql("SELECT der, this_update, next_update FROM ocsp_response WHERE issuer_name = :issuer AND serial = :serial")
                .param("issuer", issuer).param("serial", serial)
                .query((rs, i) -> new Stored(rs.getBytes("der"), Timestamps.read(rs, "this_update"), Timestamps.read(rs, "next_update")))
                .optional();
    }

    /**
     * Stores or replaces the response for this certificate, signed from {@code signedFrom}, unless the certificate's status
     * has changed since it was read (then the newer answer is, or will be, stored by whoever changed it).
     */
    @Transactional
    void save(String issuer, String serial, Stored response, Instant refreshAfter, RevocationEntry signedFrom) {
        if (!records.lockUnchanged(signedFrom)) {
            return;
        }
        // The certificate's row lock also orders two nodes storing the same response, so the insert finds no other.
        if (update(issuer, serial, response, refreshAfter) == 0) {
            jdbc.sql("INSERT INTO ocsp_response (issuer_name, serial, this_update, next_update, refresh_after, der) "
                            + "VALUES (:issuer, :serial, :thisUpdate, :nextUpdate, :refreshAfter, :der)")
                    .param("issuer", issuer).param("serial", serial).param("thisUpdate", Timestamps.of(response.thisUpdate()))
                    .param("nextUpdate", Timestamps.of(response.nextUpdate())).param("refreshAfter", Timestamps.of(refreshAfter))
                    .param("der", response.der()).update();
        }
    }

    private int update(String issuer, String serial, Stored response, Instant refreshAfter) {
        return jdbc.sql("UPDATE ocsp_response SET this_update = :thisUpdate, next_update = :nextUpdate, refresh_after = :refreshAfter, "
                        + "der = :der WHERE issuer_name = :issuer AND serial = :serial")
                .param("issuer", issuer).param("serial", serial).param("thisUpdate", Timestamps.of(response.thisUpdate()))
                .param("nextUpdate", Timestamps.of(response.nextUpdate())).param("refreshAfter", Timestamps.of(refreshAfter))
                .param("der", response.der()).update();
    }

    void delete(String issuer, String serial) {
        jdbc.sql("DELETE FROM ocsp_response WHERE issuer_name = :issuer AND serial = :serial").param("issuer", issuer).param("serial", serial)
                .update();
    }

    List<Key> dueForRefresh(Instant now, int limit) {
        return jdbc.sql("SELECT issuer_name, serial FROM ocsp_response WHERE refresh_after < :now ORDER BY refresh_after LIMIT :limit")
                .param("now", Timestamps.of(now)).param("limit", limit)
                .query((rs, i) -> new Key(rs.getString("issuer_name"), rs.getString("serial"))).list();
    }

    long lastPresignedId() {
        return jdbc.sql("SELECT last_id FROM ocsp_presign_state WHERE id = 1").query(Long.class).single();
    }

    void setLastPresignedId(long id) {
        jdbc.sql("UPDATE ocsp_presign_state SET last_id = :id WHERE id = 1 AND last_id < :id").param("id", id).update();
    }
}
