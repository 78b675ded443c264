package dev.certwright.e2e;

import dev.certwright.support.TestDatabase;

/** Revocation end to end on the embedded H2 database. */
class H2RevocationIT extends RevocationEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
