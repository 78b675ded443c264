package dev.certwright.inventory.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import dev.certwright.platform.StartupException;

/**
 * Makes every H2 commit reach the database file before it returns, whatever URL the operator configured.
 * <p>
 * H2's MVStore keeps committed changes in memory for {@code WRITE_DELAY} (500 ms by default) and a background thread
 * writes them; a process killed in that window loses transactions whose callers already got a 2xx (issue 19: 24 of
 * 6,988 certificates and 1 of 126 revocations). With {@code WRITE_DELAY} 0, H2 2.x stores the chunk inside the commit
 * ({@code TransactionStore.endTransaction} calls {@code MVStore.commit()}, which waits for the chunk write). The shipped
 * URL says {@code WRITE_DELAY=0}; an operator's own URL may not, and H2 applies the URL's value (default 500) each time
 * the database opens, so it is set here again. PostgreSQL is left as it is: its commit waits for the WAL.
 */
@Component
class H2CommitDurability implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(H2CommitDurability.class);

    private final DataSource dataSource;

    H2CommitDurability(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void afterPropertiesSet() throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            // Any H2 that keeps a file (jdbc:h2:file:, jdbc:h2:./path, jdbc:h2:tcp://); an in-memory one has nothing to lose.
            if (!"H2".equals(connection.getMetaData().getDatabaseProductName()) || connection.getMetaData().getURL().startsWith("jdbc:h2:mem:")) {
                return;
            }
            try (Statement statement = connection.createStatement()) {
                statement.execute("SET WRITE_DELAY 0");
            } catch (SQLException e) {
                throw new StartupException("the H2 database could not be set to write each commit before it returns (SET WRITE_DELAY 0: "
                        + e.getMessage() + "); connect as its owner, or add ;WRITE_DELAY=0 to spring.datasource.url");
            }
            log.debug("H2: WRITE_DELAY 0, every commit is written to the database file before it returns");
        }
    }
}
