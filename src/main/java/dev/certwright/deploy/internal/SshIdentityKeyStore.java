package dev.certwright.deploy.internal;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.keys.KeyWrapping;
import dev.certwright.keys.WrappedKeyStore;

/**
 * The SSH identity's wrapped private key as a KEK rotation sees it (decision 68): one row, re-wrapped like the others.
 * The key pair itself does not change, so {@link SshIdentity}'s cached pair stays right.
 */
@Component
class SshIdentityKeyStore implements WrappedKeyStore {

    private final JdbcClient jdbc;

    SshIdentityKeyStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Override
    public String kind() {
        return "ssh-identity";
    }

    @Override
    public Map<String, Long> countByKek() {
        Map<String, Long> counts = new TreeMap<>();
        jdbc.sql("SELECT kek_id, COUNT(*) AS n FROM ssh_identity GROUP BY kek_id").query(rs -> {
            counts.put(rs.getString("kek_id"), rs.getLong("n"));
        });
        return counts;
    }

    @Override
    public List<StoredKey> under(String kekId, long afterId, int limit) {
        return jdbc.sql("SELECT id, kek_id, wrapped_key FROM ssh_identity WHERE kek_id = :kek AND id > :after ORDER BY id LIMIT :n")
                .param("kek", kekId).param("after", afterId).param("n", limit)
                .query((rs, i) -> new StoredKey(rs.getLong("id"), SshIdentity.CONTEXT, rs.getString("kek_id"), rs.getBytes("wrapped_key")))
                .list();
    }

    @Override
    public boolean replace(long rowId, String fromKekId, KeyWrapping.Wrapped rewrapped) {
        return jdbc.sql("UPDATE ssh_identity SET kek_id = :to, wrapped_key = :key WHERE id = :id AND kek_id = :from")
                .param("to", rewrapped.kekId()).param("key", rewrapped.bytes()).param("id", rowId).param("from", fromKekId).update() == 1;
    }
}
