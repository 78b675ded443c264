package dev.certwright.e2e;

import java.nio.file.Path;
import java.sql.Connection;
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
        return TestDatabase.h2WhileStopped(dataDir);
    }

    @Override
    boolean reachableWhileRunning() {
        return false;
    }
}
