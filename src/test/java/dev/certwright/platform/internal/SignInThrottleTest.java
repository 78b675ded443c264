package dev.certwright.platform.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.support.MigratedH2;
import dev.certwright.support.MutableClock;

/**
 * The sign-in throttle's counts in the database: blocked after the limit per user name or per address, each further
 * failure doubles the block up to the cap, a success clears the name but not the address, quiet subjects are forgotten.
 */
class SignInThrottleTest {

    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final SignInProperties PROPERTIES = new SignInProperties(5, 20, Duration.ofSeconds(30), Duration.ofMinutes(4), Duration.ofHours(1));

    MutableClock clock;
    SignInThrottle throttle;
    TransactionTemplate transactions;
    JdbcClient jdbc;

    DataSource database() {
        return MigratedH2.create("sign-in");
    }

    @BeforeEach
    void setUp() {
        DataSource dataSource = database();
        jdbc = JdbcClient.create(dataSource);
        clock = new MutableClock(T0);
        throttle = new SignInThrottle(jdbc, clock, PROPERTIES);
        transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    void advance(Duration duration) {
        clock.set(clock.instant().plus(duration));
    }

    void fail(String user, String address) {
        transactions.executeWithoutResult(tx -> throttle.failed(user, address));
    }

    @Test
    void fiveFailuresForOneNameBlockItWithADelayThatDoublesPerFurtherFailure() {
        for (int i = 0; i < 4; i++) {
            fail("admin", "10.0.0." + i);
            assertThat(throttle.blocked("admin", "10.0.0.99")).as("after %d failures", i + 1).isEmpty();
        }
        fail("Admin", "10.0.0.4"); // names are counted case-insensitively, as they are typed
        assertThat(throttle.blocked("admin", "10.0.0.99")).contains(Duration.ofSeconds(30));
        assertThat(throttle.blocked("someone-else", "10.0.0.99")).isEmpty();

        advance(Duration.ofSeconds(30));
        assertThat(throttle.blocked("admin", "10.0.0.99")).isEmpty();
        fail("admin", "10.0.0.5");
        assertThat(throttle.blocked("admin", "10.0.0.99")).contains(Duration.ofSeconds(60));
        advance(Duration.ofSeconds(60));
        fail("admin", "10.0.0.6");
        assertThat(throttle.blocked("admin", "10.0.0.99")).contains(Duration.ofSeconds(120));
        advance(Duration.ofSeconds(120));
        fail("admin", "10.0.0.7");
        fail("admin", "10.0.0.8");
        assertThat(throttle.blocked("admin", "10.0.0.99")).as("capped at max-delay").contains(Duration.ofMinutes(4));
    }

    @Test
    void twentyFailuresFromOneAddressBlockEveryNameFromIt() {
        for (int i = 0; i < 20; i++) {
            assertThat(throttle.blocked("user" + i, "192.0.2.7")).isEmpty();
            fail("user" + i, "192.0.2.7");
        }
        assertThat(throttle.blocked("admin", "192.0.2.7")).contains(Duration.ofSeconds(30));
        assertThat(throttle.blocked("admin", "192.0.2.8")).isEmpty();
    }

    @Test
    void aSuccessClearsTheNameButNotTheAddress() {
        for (int i = 0; i < 19; i++) {
            fail("admin", "192.0.2.9");
        }
        transactions.executeWithoutResult(tx -> throttle.succeeded("admin"));
        assertThat(throttle.blocked("admin", "192.0.2.10")).isEmpty();
        fail("other", "192.0.2.9");
        assertThat(throttle.blocked("admin", "192.0.2.9")).as("the address's twentieth failure").isPresent();
    }

    @Test
    void aSubjectQuietForForgetAfterStartsAgainAndIsPurged() {
        for (int i = 0; i < 5; i++) {
            fail("admin", "192.0.2.11");
        }
        advance(Duration.ofHours(1).plusSeconds(1));
        fail("admin", "192.0.2.11");
        assertThat(throttle.blocked("admin", "192.0.2.12")).as("one failure after a quiet hour").isEmpty();
        advance(Duration.ofHours(1).plusSeconds(1));
        throttle.purge();
        assertThat(jdbc.sql("SELECT COUNT(*) FROM sign_in_failure").query(Long.class).single()).isZero();
    }
}
