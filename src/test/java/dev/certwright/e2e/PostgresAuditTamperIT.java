package dev.certwright.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import dev.certwright.support.TestDatabase;

/**
 * The tamper test on PostgreSQL, the clustered store: rewritten over JDBC while the server is stopped; the untouched
 * copy is kept as a template database and restored from it.
 */
class PostgresAuditTamperIT extends AuditTamperEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    private TestDatabase.Postgres pg() {
        return (TestDatabase.Postgres) database;
    }

    @Override
    Connection connectStopped() throws SQLException {
        return pg().connect();
    }

    private String backupName() {
        return pg().database() + "_bak";
    }

    private void admin(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg().baseUrl() + "postgres", pg().user(), pg().password());
                Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    @Override
    void backupDatabase(Path to) throws Exception {
        admin("DROP DATABASE IF EXISTS " + backupName(), "CREATE DATABASE " + backupName() + " TEMPLATE " + pg().database());
    }

    @Override
    void restoreDatabase(Path from) throws Exception {
        admin("DROP DATABASE " + pg().database() + " WITH (FORCE)", "CREATE DATABASE " + pg().database() + " TEMPLATE " + backupName());
    }

    @Override
    @org.junit.jupiter.api.AfterAll
    void stop() {
        super.stop();
        try {
            admin("DROP DATABASE IF EXISTS " + backupName() + " WITH (FORCE)");
        } catch (SQLException e) {
            // Left behind on a failure; the cluster is the test machine's.
        }
    }
}
