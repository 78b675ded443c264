package dev.certwright.e2e;

import dev.certwright.support.TestDatabase;

/** Revocation end to end on PostgreSQL. */
class PostgresRevocationIT extends RevocationEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
