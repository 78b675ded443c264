package dev.certwright.support;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * The database an end-to-end test runs on: the embedded H2 default, or a fresh database in the local PostgreSQL that
 * scripts/test.sh starts. PostgreSQL must be reachable: a missing peer fails the test, it never skips it.
 */
public sealed interface TestDatabase extends AutoCloseable {

    /** Application arguments that select this database. */
    List<String> arguments();

    /** Opens a JDBC connection, for assertions on what was stored; H2 is not reachable while the app runs. */
    Connection connect() throws SQLException;

    @Override
    default void close() {
    }

    static TestDatabase h2() {
        return new H2();
    }

    static TestDatabase postgres() {
        return Postgres.create();
    }

    /** The node's H2 file database under {@code dataDir}, opened as the node opens it: only while no node runs. */
    static Connection h2WhileStopped(java.nio.file.Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/certwright")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=FALSE", "certwright", "");
    }

    /** The embedded default: nothing to pass. */
    record H2() implements TestDatabase {
        @Override
        public List<String> arguments() {
            return List.of();
        }

        @Override
        public Connection connect() {
            throw new UnsupportedOperationException("the H2 file database is held by the running application");
        }
    }

    /** A PostgreSQL test database reached through a relay port. */
    record Proxied(Postgres target, int port) implements TestDatabase {
        @Override
        public List<String> arguments() {
            return List.of("--spring.datasource.url=jdbc:postgresql://127.0.0.1:" + port + "/" + target.database(),
                    "--spring.datasource.username=" + target.user(), "--spring.datasource.password=" + target.password());
        }

        @Override
        public Connection connect() throws SQLException {
            return target.connect();
        }
    }

    /** A database of its own in the local PostgreSQL, dropped afterwards. */
    record Postgres(String baseUrl, String user, String password, String database) implements TestDatabase {

        static Postgres create() {
            String base = env("CERTWRIGHT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/");
            String user = env("CERTWRIGHT_TEST_PG_USER", "certwright");
            String password = env("CERTWRIGHT_TEST_PG_PASSWORD", "certwright");
            String name = "cw_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
            try (Connection c = DriverManager.getConnection(base + "postgres", user, password); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new AssertionError("PostgreSQL is not reachable at " + base + " as " + user
                        + "; run the tests through scripts/test.sh, which starts it (" + e.getMessage() + ")", e);
            }
            return new Postgres(base, user, password, name);
        }

        public String url() {
            return baseUrl + database;
        }

        /** The same database reached through another port on loopback (a {@link TcpProxy}); closing it drops nothing. */
        public TestDatabase via(int port) {
            return new Proxied(this, port);
        }

        @Override
        public List<String> arguments() {
            return List.of("--spring.datasource.url=" + url(), "--spring.datasource.username=" + user,
                    "--spring.datasource.password=" + password);
        }

        @Override
        public Connection connect() throws SQLException {
            return DriverManager.getConnection(url(), user, password);
        }

        @Override
        public void close() {
            try (Connection c = DriverManager.getConnection(baseUrl + "postgres", user, password); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            } catch (SQLException e) {
                // Left behind on a failure; the cluster is the test machine's.
            }
        }

        private static String env(String name, String fallback) {
            String value = System.getenv(name);
            return value == null || value.isBlank() ? fallback : value;
        }
    }
}
