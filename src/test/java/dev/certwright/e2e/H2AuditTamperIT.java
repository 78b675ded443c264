package dev.certwright.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import dev.certwright.support.TestDatabase;

/** The tamper test on the embedded H2 database: the file is opened over JDBC while the server is stopped. */
class H2AuditTamperIT extends AuditTamperEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    Connection connectStopped() throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/certwright") + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE",
                "certwright", "");
    }

    @Override
    void backupDatabase(Path to) throws Exception {
        Files.copy(dataDir.resolve("db/certwright.mv.db"), to.resolve("certwright.mv.db"));
    }

    @Override
    void restoreDatabase(Path from) throws Exception {
        Files.copy(from.resolve("certwright.mv.db"), dataDir.resolve("db/certwright.mv.db"), StandardCopyOption.REPLACE_EXISTING);
    }
}
