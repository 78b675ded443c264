package dev.certwright.inventory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An H2 file database whose URL leaves WRITE_DELAY at H2's 500 ms is set to write every commit before it returns. */
class H2CommitDurabilityTest {

    @TempDir
    Path dir;

    @Test
    void anOperatorsH2UrlWithoutWriteDelayZeroStillWritesEachCommit() throws Exception {
        JdbcDataSource dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:file:" + dir.resolve("db") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE");
        dataSource.setUser("certwright");
        try (Connection held = dataSource.getConnection()) { // keeps the database open between the two steps
            assertThat(writeDelay(held)).as("H2's default").isEqualTo("500");
            new H2CommitDurability(dataSource).afterPropertiesSet();
            assertThat(writeDelay(held)).isEqualTo("0");
        }
    }

    private static String writeDelay(Connection connection) throws Exception {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            return rs.next() ? rs.getString(1) : "500";
        }
    }
}
