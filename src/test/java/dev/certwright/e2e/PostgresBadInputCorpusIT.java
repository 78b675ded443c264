package dev.certwright.e2e;

import dev.certwright.support.TestDatabase;

/**
 * The bad-input corpus on PostgreSQL, where the test reads every table's row count and the audit log around each
 * request while the application runs.
 */
class PostgresBadInputCorpusIT extends BadInputCorpus {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
