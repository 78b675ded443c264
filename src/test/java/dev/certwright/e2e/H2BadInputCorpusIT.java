package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import dev.certwright.support.Json;
import dev.certwright.support.TestDatabase;

/**
 * The bad-input corpus on the embedded H2 default. Its file belongs to the running application, so the per-request
 * row counts are PostgresBadInputCorpusIT's; here every answer is checked, and afterwards the audit log, read through
 * the API, has no entry from the corpus and its chain still verifies.
 */
class H2BadInputCorpusIT extends BadInputCorpus {

    long auditBefore = -1;

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    /** Runs after the base class's start, once the fixtures (and their audit entries) exist. */
    @BeforeAll
    void auditBaseline() {
        auditBefore = auditEntries();
    }

    @AfterAll
    void auditLogUnchanged() {
        assertThat(auditEntries()).as("audit entries after the corpus").isEqualTo(auditBefore);
        var verify = https.send("GET", "/api/v1/audit-log/verify", java.util.List.of("Authorization", "Bearer " + admin), null);
        assertThat(verify.status()).as(verify.text()).isEqualTo(200);
    }

    /** The number of audit entries by anyone but the system's jobs, through the API. */
    long auditEntries() {
        long count = 0;
        for (int page = 0; ; page++) {
            var response = https.send("GET", "/api/v1/audit-log?size=100&page=" + page, java.util.List.of("Authorization", "Bearer " + admin), null);
            assertThat(response.status()).as(response.text()).isEqualTo(200);
            var entries = Json.parse(response.text());
            for (var entry : entries) {
                if (!"system".equals(entry.path("actor").asString(""))) {
                    count++;
                }
            }
            if (entries.size() < 100) {
                return count;
            }
        }
    }
}
