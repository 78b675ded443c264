package dev.certwright.platform.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import dev.certwright.support.TestDatabase;

/** {@link SignInThrottleTest} on a PostgreSQL database of its own: the table is shared by the nodes of a cluster. */
class SignInThrottlePostgresTest extends SignInThrottleTest {

    TestDatabase.Postgres postgres;

    @Override
    DataSource database() {
        postgres = (TestDatabase.Postgres) TestDatabase.postgres();
        DataSource dataSource = new DriverManagerDataSource(postgres.url(), postgres.user(), postgres.password());
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return dataSource;
    }

    @AfterEach
    void drop() {
        postgres.close();
    }
}
