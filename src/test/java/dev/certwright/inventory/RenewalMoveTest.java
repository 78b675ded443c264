package dev.certwright.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.support.MigratedH2;
import dev.certwright.support.MutableClock;

/** Moving a slot's due time into a moved ARI window (decision 76): only the slot as it was seen, and never a failing or flagged one. */
class RenewalMoveTest {

    static final Instant T0 = Instant.parse("2026-12-08T00:00:00Z");

    JdbcClient jdbc;
    ManagedCertificates slots;
    final MutableClock clock = new MutableClock(T0);
    long current;
    long other;

    long certificate(String serial) {
        jdbc.sql("INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, sans, not_before, not_after, owner, "
                        + "created_at, updated_at) VALUES (:serial, 'CN=Test', 'test', 'ISSUED', 'UPSTREAM', 'public', '', :t, :t, 'team-web', :t, :t)")
                .param("serial", serial).param("t", dev.certwright.platform.Timestamps.of(T0)).update();
        return jdbc.sql("SELECT MAX(id) FROM certificate").query(Long.class).single();
    }

    @BeforeEach
    void slot() {
        jdbc = JdbcClient.create(MigratedH2.create("renewal-move"));
        slots = new ManagedCertificates(jdbc, clock);
        slots.create(new ManagedCertificate(0, "web", "public", List.of("web.test"), List.of(), "EC-P256", "team-web", List.of(), null, null,
                false, false, KeyMode.MANAGED, List.of(), null, "test", T0));
        current = certificate("1");
        other = certificate("2");
        jdbc.sql("UPDATE managed_certificate SET current_certificate_id = :id WHERE name = 'web'").param("id", current).update();
        slots.scheduleRenewal("web", T0.plus(Duration.ofDays(60)));
    }

    @Test
    void theDueTimeMovesWhenTheSlotIsAsSeen() {
        assertThat(slots.moveRenewal("web", current, T0.plus(Duration.ofDays(60)), T0.plus(Duration.ofMinutes(1)))).isTrue();
        assertThat(slots.renewalState("web").orElseThrow().renewAt()).isEqualTo(T0.plus(Duration.ofMinutes(1)));
    }

    @Test
    void notWhenAnotherNodeClaimedItOrItWasRenewedMeanwhile() {
        assertThat(slots.claimRenewal("web", T0.plus(Duration.ofDays(60)), T0.plus(Duration.ofMinutes(10)))).isTrue();
        assertThat(slots.moveRenewal("web", current, T0.plus(Duration.ofDays(60)), T0)).as("claimed: renew_at is a lease now").isFalse();
        slots.scheduleRenewal("web", T0.plus(Duration.ofDays(60)));
        assertThat(slots.moveRenewal("web", other, T0.plus(Duration.ofDays(60)), T0)).as("another current instance").isFalse();
    }

    @Test
    void notWhenItsRenewalFailedOrWasFlagged() {
        slots.renewalFailed("web", 1, "upstream down", T0.plus(Duration.ofMinutes(5)));
        assertThat(slots.moveRenewal("web", current, T0.plus(Duration.ofMinutes(5)), T0)).isFalse();
        slots.renewalFailed("web", 3, "upstream down", null);
        assertThat(slots.renewalState("web").orElseThrow().flaggedAt()).isNotNull();
        assertThat(slots.moveRenewal("web", current, T0, T0)).isFalse();
    }
}
