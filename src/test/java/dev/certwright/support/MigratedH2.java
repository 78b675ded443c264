package dev.certwright.support;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;

/** A fresh in-memory H2 database in PostgreSQL mode, as the application configures it, with every migration applied. */
public final class MigratedH2 {

    private MigratedH2() {
    }

    /** A new database named after {@code purpose} (and unique), migrated; it lives until the JVM ends. */
    public static DataSource create(String purpose) {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + purpose + "-" + System.nanoTime() + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        return dataSource;
    }
}
