package dev.certwright.notify.internal;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;

import dev.certwright.support.TestDatabase;

/** {@link ExpiryScanTest} on a PostgreSQL database of its own (the production database, whose planner and types differ). */
class ExpiryScanPostgresTest extends ExpiryScanTest {

    TestDatabase.Postgres postgres;
    SingleConnectionDataSource connection;

    @Override
    DataSource database() {
        postgres = (TestDatabase.Postgres) TestDatabase.postgres();
        // One connection for the whole test: a new PostgreSQL connection per statement (a backend and a SCRAM exchange
        // each) made this class take a minute.
        connection = new SingleConnectionDataSource(postgres.url(), postgres.user(), postgres.password(), true);
        DataSource dataSource = connection;
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return dataSource;
    }

    @AfterEach
    void drop() {
        connection.destroy();
        postgres.close();
    }
}
