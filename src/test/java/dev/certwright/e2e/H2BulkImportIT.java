package dev.certwright.e2e;

import dev.certwright.support.TestDatabase;

/** The bulk import on the embedded H2 default. */
class H2BulkImportIT extends BulkImportEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }
}
