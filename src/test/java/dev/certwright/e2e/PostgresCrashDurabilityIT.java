package dev.certwright.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import dev.certwright.support.TestDatabase;

/** The crash test on PostgreSQL. */
class PostgresCrashDurabilityIT extends CrashDurabilityEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Override
    Connection connectWhileStopped(TestDatabase database, Path dataDir) throws SQLException {
        return database.connect();
    }

    @Override
    boolean reachableWhileRunning() {
        return true;
    }
}
