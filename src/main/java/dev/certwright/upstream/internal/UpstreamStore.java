package dev.certwright.upstream.internal;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

import dev.certwright.platform.Timestamps;

/** The upstream module's tables (V29): one account per upstream, and the http-01 key authorizations being answered. */
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
}
