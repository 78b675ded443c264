package dev.certwright.upstream.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.certwright.platform.Timestamps;

/**
 * The upstream module's tables (V29, V30): one account per upstream, the http-01 key authorizations being answered, and
 * when to poll each certificate's ARI renewalInfo next.
 */
@Repository
public class UpstreamStore {

    private final JdbcClient jdbc;
    private final Clock clock;

    UpstreamStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** An upstream's account row. */
    public record AccountRow(String upstream, String directory, String kekId, byte[] wrappedKey, byte[] publicKey, String thumbprint,
            String accountUrl, Instant createdAt) {
    }

    /** The additional data an upstream's account key is wrapped with (AES-GCM), by this module and by KEK rotation. */
    public static String accountKeyContext(String upstream) {
        return UpstreamAccountKeyStore.context(upstream);
    }

    public Optional<AccountRow> account(String upstream) {
        return jdbc.sql("SELECT * FROM upstream_account WHERE upstream = :u").param("u", upstream)
                .query((rs, row) -> new AccountRow(rs.getString("upstream"), rs.getString("directory"), rs.getString("kek_id"),
                        rs.getBytes("wrapped_key"), rs.getBytes("public_key"), rs.getString("thumbprint"), rs.getString("account_url"),
                        Timestamps.read(rs, "created_at"))).optional();
    }

    public List<AccountRow> accounts() {
        return jdbc.sql("SELECT * FROM upstream_account ORDER BY upstream")
                .query((rs, row) -> new AccountRow(rs.getString("upstream"), rs.getString("directory"), rs.getString("kek_id"),
                        new byte[0], new byte[0], rs.getString("thumbprint"), rs.getString("account_url"),
                        Timestamps.read(rs, "created_at"))).list();
    }

    /** Inserts the key row unless another node got there first; the caller reads the row back either way. */
    public void insertKey(String upstream, String directory, String kekId, byte[] wrappedKey, byte[] publicKey, String thumbprint) {
        jdbc.sql("INSERT INTO upstream_account (upstream, directory, kek_id, wrapped_key, public_key, thumbprint, created_at) "
                        + "VALUES (:u, :d, :k, :w, :p, :t, :now) ON CONFLICT DO NOTHING")
                .param("u", upstream).param("d", directory).param("k", kekId).param("w", wrappedKey).param("p", publicKey)
                .param("t", thumbprint).param("now", Timestamps.of(clock.instant())).update();
    }

    public void setAccountUrl(String upstream, String url) {
        jdbc.sql("UPDATE upstream_account SET account_url = :url WHERE upstream = :u").param("url", url).param("u", upstream).update();
    }

    public void putChallenge(String token, String dnsName, String keyAuthorization, Instant expires) {
        jdbc.sql("INSERT INTO upstream_http_challenge (token, dns_name, key_authorization, expires_at) VALUES (:t, :n, :k, :e)")
                .param("t", token).param("n", dnsName).param("k", keyAuthorization).param("e", Timestamps.of(expires)).update();
    }

    public Optional<String> keyAuthorization(String token) {
        return jdbc.sql("SELECT key_authorization FROM upstream_http_challenge WHERE token = :t AND expires_at > :now")
                .param("t", token).param("now", Timestamps.of(clock.instant())).query(String.class).optional();
    }

    public void removeChallenge(String token) {
        jdbc.sql("DELETE FROM upstream_http_challenge WHERE token = :t").param("t", token).update();
    }

    public int removeExpiredChallenges() {
        return jdbc.sql("DELETE FROM upstream_http_challenge WHERE expires_at <= :now").param("now", Timestamps.of(clock.instant())).update();
    }

    /** The next poll time of each of these certificates that has been polled (V30). */
    public java.util.Map<Long, Instant> nextPolls(java.util.Collection<Long> certificateIds) {
        java.util.Map<Long, Instant> out = new java.util.HashMap<>();
        if (certificateIds.isEmpty()) {
            return out;
        }
        jdbc.sql("SELECT certificate_id, next_poll_at FROM upstream_renewal_poll WHERE certificate_id IN (:ids)").param("ids", certificateIds)
                .query((rs, row) -> out.put(rs.getLong(1), Timestamps.read(rs, 2))).list();
        return out;
    }

    /** Records a poll of a certificate's renewalInfo and when to poll next. */
    public void polled(long certificateId, Instant next) {
        Instant now = clock.instant();
        int updated = jdbc.sql("UPDATE upstream_renewal_poll SET next_poll_at = :next, polled_at = :now WHERE certificate_id = :id")
                .param("next", Timestamps.of(next)).param("now", Timestamps.of(now)).param("id", certificateId).update();
        if (updated == 0) {
            jdbc.sql("INSERT INTO upstream_renewal_poll (certificate_id, next_poll_at, polled_at) VALUES (:id, :next, :now) ON CONFLICT DO NOTHING")
                    .param("next", Timestamps.of(next)).param("now", Timestamps.of(now)).param("id", certificateId).update();
        }
    }

    /** Removes the rows of certificates no longer polled: a day past their next poll. */
    public int removeStalePolls() {
        return jdbc.sql("DELETE FROM upstream_renewal_poll WHERE next_poll_at < :cutoff")
                .param("cutoff", Timestamps.of(clock.instant().minus(java.time.Duration.ofDays(1)))).update();
    }
}
