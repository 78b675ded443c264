package dev.certwright.deploy.internal;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.platform.Timestamps;

/** Storage of deployment targets. Validation happens before: {@link DeployTarget#problems()}. */
@Component
public class DeployTargets {

    private final JdbcClient jdbc;
    private final Clock clock;

    DeployTargets(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** Creates a target; false when the name is taken. */
    public boolean create(DeployTarget t) {
        try {
            bind(jdbc.sql("INSERT INTO deploy_target (name, kind, host, port, username, host_key_sha256, certificate_path, chain_path, "
                    + "fullchain_path, key_path, combined_pem_path, file_uid, file_gid, file_mode, key_mode, reload_command, probe_host, "
                    + "probe_port, probe_server_name, webroot, created_at, updated_at) VALUES (:name, :kind, :host, :port, :user, :fp, :cert, :chain, "
                    + ":fullchain, :key, :combined, :uid, :gid, :mode, :keyMode, :reload, :probeHost, :probePort, :probeName, :webroot, :now, :now)"), t)
                    .update();
            return true;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    /** Replaces a target's settings; false when there is no such target. */
    public boolean update(DeployTarget t) {
        return bind(jdbc.sql("UPDATE deploy_target SET kind = :kind, host = :host, port = :port, username = :user, host_key_sha256 = :fp, "
                + "certificate_path = :cert, chain_path = :chain, fullchain_path = :fullchain, key_path = :key, combined_pem_path = :combined, "
                + "file_uid = :uid, file_gid = :gid, file_mode = :mode, key_mode = :keyMode, reload_command = :reload, probe_host = :probeHost, "
                + "probe_port = :probePort, probe_server_name = :probeName, webroot = :webroot, updated_at = :now WHERE name = :name"), t).update() > 0;
    }

    public boolean delete(String name) {
        jdbc.sql("DELETE FROM target_probe WHERE target_name = :name").param("name", name).update();
        return jdbc.sql("DELETE FROM deploy_target WHERE name = :name").param("name", name).update() > 0;
    }

    public Optional<DeployTarget> find(String name) {
        return jdbc.sql("SELECT * FROM deploy_target WHERE name = :name").param("name", name).query(DeployTargets::read).optional();
    }

    /** The names among these that are not targets. */
    public List<String> unknown(List<String> names) {
        if (names == null || names.isEmpty()) {
            return List.of();
        }
        List<String> known = jdbc.sql("SELECT name FROM deploy_target WHERE name IN (:names)").param("names", names).query(String.class).list();
        return names.stream().filter(n -> !known.contains(n)).distinct().toList();
    }

    public List<DeployTarget> list() {
        return jdbc.sql("SELECT * FROM deploy_target ORDER BY name").query(DeployTargets::read).list();
    }

    private JdbcClient.StatementSpec bind(JdbcClient.StatementSpec sql, DeployTarget t) {
        DeployTarget.Paths p = t.paths();
        return sql.param("name", t.name()).param("kind", t.kind()).param("host", t.host()).param("port", t.port()).param("user", t.user())
                .param("fp", t.pinnedFingerprint()).param("cert", p.certificatePath()).param("chain", p.chainPath())
                .param("fullchain", p.fullchainPath()).param("key", p.keyPath()).param("combined", p.combinedPemPath())
                .param("uid", t.fileUid()).param("gid", t.fileGid()).param("mode", t.fileMode()).param("keyMode", t.keyMode())
                .param("reload", t.reloadCommand()).param("probeHost", t.probe().host()).param("probePort", t.probe().port())
                .param("probeName", t.probe().serverName()).param("webroot", t.webroot()).param("now", Timestamps.of(clock.instant()));
    }

    private static DeployTarget read(ResultSet rs, int row) throws SQLException {
        return new DeployTarget(rs.getString("name"), rs.getString("kind"), rs.getString("host"), rs.getInt("port"), rs.getString("username"),
                rs.getString("host_key_sha256"), new DeployTarget.Paths(rs.getString("certificate_path"), rs.getString("chain_path"),
                        rs.getString("fullchain_path"), rs.getString("key_path"), rs.getString("combined_pem_path")),
                (Integer) rs.getObject("file_uid", Integer.class), (Integer) rs.getObject("file_gid", Integer.class), rs.getInt("file_mode"),
                rs.getInt("key_mode"), rs.getString("reload_command"),
                new DeployTarget.Probe(rs.getString("probe_host"), rs.getInt("probe_port"), rs.getString("probe_server_name")), rs.getString("webroot"));
    }
}
