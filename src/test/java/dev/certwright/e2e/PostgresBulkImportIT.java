package dev.certwright.e2e;

import dev.certwright.support.TestDatabase;

/** The bulk import on PostgreSQL: the subject index, the batches and the key rows on the production database. */
class PostgresBulkImportIT extends BulkImportEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
