package dev.certwright.e2e;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

import dev.certwright.support.TestDatabase;

/** The crash test on the embedded H2 database: the store that lost acknowledged changes before issue 19. */
class H2CrashDurabilityIT extends CrashDurabilityEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    Connection connectWhileStopped(TestDatabase database, Path dataDir) throws SQLException {
        return TestDatabase.h2WhileStopped(dataDir);
    }

    @Override
    boolean reachableWhileRunning() {
        return false;
    }
}
