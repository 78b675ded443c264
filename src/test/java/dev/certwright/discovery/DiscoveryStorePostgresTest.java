package dev.certwright.discovery;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.certwright.support.TestDatabase;

/** {@link DiscoveryStoreTest} on a PostgreSQL database of its own. */
class DiscoveryStorePostgresTest extends DiscoveryStoreTest {

    TestDatabase.Postgres postgres;
    SingleConnectionDataSource connection;

    @Override
    DataSource database() {
        postgres = (TestDatabase.Postgres) TestDatabase.postgres();
        connection = new SingleConnectionDataSource(postgres.url(), postgres.user(), postgres.password(), true);
        Flyway.configure().dataSource(connection).locations("classpath:db/migration").load().migrate();
        return connection;
    }

    @AfterEach
    void drop() {
        connection.destroy();
        postgres.close();
    }
}
