package dev.certwright.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.support.MigratedH2;

/** The audit log's hash chains: concurrent appends stay verifiable, and any edit or cut is detected. */
class AuditLogTest {

    JdbcClient jdbc;
    TransactionTemplate transactions;
    AuditLog audit;

    @BeforeEach
    void migrate() {
        DataSource dataSource = MigratedH2.create("audit");
        jdbc = JdbcClient.create(dataSource);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        audit = new AuditLog(jdbc, Clock.systemUTC());
    }

    @Test
    void concurrentTransactionsSpreadOverChainsThatAllVerify() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new java.util.ArrayList<>();
            for (int i = 0; i < 400; i++) {
                int n = i;
                done.add(pool.submit(() -> transactions.executeWithoutResult(tx -> {
                    audit.append("tester", "thing.done", "thing", "t" + n, "first of two");
                    audit.append("tester", "thing.checked", "thing", "t" + n, "second, same chain");
                })));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        assertThat(jdbc.sql("SELECT COUNT(*) FROM audit_log").query(Long.class).single()).isEqualTo(800);
        assertThat(jdbc.sql("SELECT COUNT(DISTINCT chain) FROM audit_log").query(Long.class).single()).isGreaterThan(1);
        // A transaction keeps to one chain.
        assertThat(jdbc.sql("SELECT COUNT(*) FROM (SELECT subject_id FROM audit_log GROUP BY subject_id HAVING COUNT(DISTINCT chain) > 1) x")
                .query(Long.class).single()).isZero();
        assertThat(audit.verify()).isEqualTo(-1);
    }

    @Test
    void anEditedEntryIsFound() {
        appendSome(20);
        long victim = jdbc.sql("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 7").query(Long.class).single();
        jdbc.sql("UPDATE audit_log SET details = 'rewritten' WHERE id = :id").param("id", victim).update();
        assertThat(audit.verify()).isEqualTo(victim);
    }

    @Test
    void aRemovedEntryIsFound() {
        appendSome(20);
        long victim = jdbc.sql("SELECT id FROM audit_log ORDER BY id LIMIT 1 OFFSET 3").query(Long.class).single();
        int chain = jdbc.sql("SELECT chain FROM audit_log WHERE id = :id").param("id", victim).query(Integer.class).single();
        boolean last = jdbc.sql("SELECT MAX(id) FROM audit_log WHERE chain = :c").param("c", chain).query(Long.class).single() == victim;
        jdbc.sql("DELETE FROM audit_log WHERE id = :id").param("id", victim).update();
        assertThat(audit.verify()).isNotEqualTo(-1);
        if (last) {
            assertThat(audit.verify()).isZero();
        }
    }

    @Test
    void anEntryCutOffTheEndOfItsChainIsFound() {
        appendSome(5);
        long lastId = jdbc.sql("SELECT MAX(id) FROM audit_log").query(Long.class).single();
        jdbc.sql("DELETE FROM audit_log WHERE id = :id").param("id", lastId).update();
        assertThat(audit.verify()).isZero();
    }

    private void appendSome(int count) {
        for (int i = 0; i < count; i++) {
            int n = i;
            transactions.executeWithoutResult(tx -> audit.append("tester", "thing.done", "thing", "t" + n, "entry " + n));
        }
        assertThat(audit.verify()).isEqualTo(-1);
    }
}
