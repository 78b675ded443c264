package dev.certwright.upstream.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.keys.KeyWrapping;
import dev.certwright.keys.WrappedKeyStore;

/**
 * The upstream account keys as a KEK rotation sees them (decision 68): re-wrapped under the new KEK like the other
 * wrapped keys; the key pair, and so the account, stays the same.
 */
@Component
class UpstreamAccountKeyStore implements WrappedKeyStore {

    /** The additional data an upstream account key is bound to; AcmeUpstreams wraps with the same. */
    static String context(String upstream) {
        return "upstream-account:" + upstream;
    }

    private final JdbcClient jdbc;

    UpstreamAccountKeyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String kind() {
        return "upstream-account-keys";
    }

    @Override
    public Map<String, Long> countByKek() {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.sql("SELECT kek_id, COUNT(*) AS n FROM upstream_account GROUP BY kek_id").query(rs -> {
            counts.put(rs.getString("kek_id"), rs.getLong("n"));
        });
        return counts;
    }

    @Override
    public List<StoredKey> under(String kekId, long afterId, int limit) {
        return jdbc.sql("SELECT id, upstream, kek_id, wrapped_key FROM upstream_account WHERE kek_id = :kek AND id > :after ORDER BY id LIMIT :n")
                .param("kek", kekId).param("after", afterId).param("n", limit)
                .query((rs, i) -> new StoredKey(rs.getLong("id"), context(rs.getString("upstream")), rs.getString("kek_id"),
                        rs.getBytes("wrapped_key"))).list();
    }

    @Override
    public boolean replace(long rowId, String fromKekId, KeyWrapping.Wrapped rewrapped) {
        return jdbc.sql("UPDATE upstream_account SET kek_id = :to, wrapped_key = :key WHERE id = :id AND kek_id = :from")
                .param("to", rewrapped.kekId()).param("key", rewrapped.bytes()).param("id", rowId).param("from", fromKekId).update() == 1;
    }
}
