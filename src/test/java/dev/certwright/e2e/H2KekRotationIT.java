package dev.certwright.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import dev.certwright.support.TestDatabase;

/** KEK rotation on the embedded H2 database, one node. */
class H2KekRotationIT extends KekRotationEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    Connection connectWhileStopped(TestDatabase database, Path dataDir) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:file:" + dataDir.resolve("db/certwright")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=FALSE", "certwright", "");
    }

    @Override
    boolean reachableWhileRunning() {
        return false;
    }
}
