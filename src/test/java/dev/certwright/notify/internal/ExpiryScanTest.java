package dev.certwright.notify.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.platform.Timestamps;
import dev.certwright.support.MigratedH2;
import dev.certwright.support.MutableClock;

/**
 * The expiry scan finds every certificate due at a threshold exactly once, without walking the ones it has looked at:
 * a first full pass in walks, then only what crossed into the window, what was created since, and managed ones.
 */
class ExpiryScanTest {

    static final Duration P30D = Duration.ofDays(30);
    static final Instant T0 = Instant.parse("2026-12-02T04:00:00Z");
    static final Instant LONG_AGO = T0.minus(Duration.ofDays(60));

    JdbcClient jdbc;
    MutableClock clock = new MutableClock(T0);
    ExpiryScan scan;
    int serials;

    @BeforeEach
    void migrate() {
        jdbc = JdbcClient.create(database());
        scan = new ExpiryScan(new dev.certwright.inventory.ExpiringCertificates(jdbc), jdbc, clock, 100);
    }

    /** A migrated database; {@link ExpiryScanPostgresTest} runs the same tests on PostgreSQL. */
    DataSource database() {
        return MigratedH2.create("expiry-scan");
    }

    @Test
    void theFirstScanIsAFullPassThatSetsTheMark() {
        long soon = certificate(T0.plus(Duration.ofDays(1)), LONG_AGO);
        long later = certificate(T0.plus(Duration.ofDays(29)), LONG_AGO);
        certificate(T0.plus(Duration.ofDays(31)), LONG_AGO);
        certificate(T0.minus(Duration.ofDays(1)), LONG_AGO); // expired
        assertThat(ids(scanAndRecord(500))).containsExactly(soon, later);
        ExpiryScan.State state = scan.load("P30D").orElseThrow();
        assertThat(state.mark()).isEqualTo(T0.plus(P30D));
        assertThat(state.passCursor()).as("the pass is over").isNull();
        assertThat(state.passStarted()).isEqualTo(T0);
        assertThat(scanAndRecord(500)).as("nothing twice").isEmpty();
    }

    @Test
    void laterScansFindWhatCrossedIntoTheWindowAndWhatWasCreatedWithoutWalkingTheRest() {
        scanAndRecord(500);
        long crossing = certificate(T0.plus(P30D).plus(Duration.ofMinutes(3)), LONG_AGO);
        long shortLived = certificate(T0.plus(Duration.ofDays(2)), T0.plus(Duration.ofMinutes(4)));
        // Due, but neither crossed in nor new: only a full pass sees it (as a hold released without its event).
        long unseen = certificate(T0.plus(Duration.ofDays(3)), LONG_AGO);
        clock.set(T0.plus(Duration.ofMinutes(5)));
        assertThat(ids(scanAndRecord(500))).containsExactly(shortLived, crossing);
        clock.set(T0.plus(Duration.ofMinutes(10)));
        assertThat(scanAndRecord(500)).isEmpty();
        scan.recheckAll();
        assertThat(ids(scanAndRecord(500))).containsExactly(unseen);
        assertThat(scan.load("P30D").orElseThrow().passCursor()).isNull();
    }

    @Test
    void aCertificateCommittedAfterAScanThatItsMarkCoveredIsFoundByItsCreationTime() {
        scanAndRecord(500);
        // Reserved two minutes before that scan, issued after it: inside the window the scan had marked as done.
        long late = certificate(T0.plus(Duration.ofDays(29)), T0.minus(Duration.ofMinutes(2)));
        clock.set(T0.plus(Duration.ofMinutes(5)));
        assertThat(ids(scanAndRecord(500))).containsExactly(late);
    }

    @Test
    void aNodeWhoseClockIsBehindDoesNotMoveTheMarkBack() {
        scanAndRecord(500);
        clock.set(T0.minus(Duration.ofMinutes(1)));
        scanAndRecord(500);
        assertThat(scan.load("P30D").orElseThrow().mark()).isEqualTo(T0.plus(P30D));
    }

    @Test
    void aManagedCertificateIsDueOnceItsRenewalIsNoLongerOnTheWay() {
        scanAndRecord(500);
        long cert = certificate(T0.plus(Duration.ofDays(5)), LONG_AGO);
        jdbc.sql("INSERT INTO managed_certificate (name, profile, key_algorithm, owner, current_certificate_id, renew_at, created_at, updated_at) "
                        + "VALUES ('web', 'tls-server', 'EC-P256', 'team-a', :c, :renew, :t, :t)")
                .param("c", cert).param("renew", Timestamps.of(T0.plus(Duration.ofDays(3)))).param("t", Timestamps.of(LONG_AGO)).update();
        clock.set(T0.plus(Duration.ofMinutes(5)));
        assertThat(scanAndRecord(500)).as("its renewal comes first").isEmpty();
        jdbc.sql("UPDATE managed_certificate SET renew_flagged_at = :t").param("t", Timestamps.of(clock.instant())).update();
        clock.set(T0.plus(Duration.ofMinutes(10)));
        assertThat(ids(scanAndRecord(500))).containsExactly(cert);
    }

    @Test
    void anOcspResponderCertificateIsNeverDueItRenewsOnItsOwnSchedule() {
        long responder = certificate(T0.plus(Duration.ofDays(2)), LONG_AGO);
        jdbc.sql("UPDATE certificate SET source = 'CA', profile = 'ocsp-responder', purpose = 'OCSP_RESPONDER' WHERE id = :id")
                .param("id", responder).update();
        long subscriber = certificate(T0.plus(Duration.ofDays(2)), LONG_AGO);
        assertThat(ids(scanAndRecord(500))).containsExactly(subscriber);
    }

    @Test
    void aDiscoveredCertificateWithoutAnOwnerIsNeverDue() {
        long discovered = certificate(T0.plus(Duration.ofDays(2)), LONG_AGO);
        jdbc.sql("UPDATE certificate SET source = 'DISCOVERED', owner = NULL WHERE id = :id").param("id", discovered).update();
        long subscriber = certificate(T0.plus(Duration.ofDays(2)), LONG_AGO);
        assertThat(ids(scanAndRecord(500))).containsExactly(subscriber);
    }

    @Test
    void aDiscoveredCertificateGivenAnOwnerInBulkIsDueAtTheNextScanNotTheNextDay() {
        long discovered = certificate(T0.plus(Duration.ofDays(2)), LONG_AGO);
        jdbc.sql("UPDATE certificate SET source = 'DISCOVERED', owner = NULL WHERE id = :id").param("id", discovered).update();
        assertThat(scanAndRecord(500)).isEmpty();
        // Past the created side's reach, so that only a full pass would see it again.
        clock.set(T0.plus(ExpiryScan.MARGIN).plus(Duration.ofMinutes(5)));
        assertThat(scanAndRecord(500)).isEmpty();
        List<Object> published = new ArrayList<>();
        var inventory = new dev.certwright.inventory.CertificateInventory(jdbc, clock, published::add);
        assertThat(inventory.assignOwner(List.of(discovered), dev.certwright.inventory.CertificateSource.DISCOVERED, "team-edge", false)).isEqualTo(1);
        assertThat(scanAndRecord(500)).as("without the event: not before the daily pass").isEmpty();
        assertThat(published).singleElement().isEqualTo(new dev.certwright.inventory.OwnersAssigned("team-edge", 1));
        // What the notice service does when it hears it (NoticeService#onOwnersAssigned).
        new NoticeService(null, scan, null, null, null, null, null, null, null, clock, null).onOwnersAssigned(
                (dev.certwright.inventory.OwnersAssigned) published.getFirst());
        assertThat(ids(scanAndRecord(500))).containsExactly(discovered);
        assertThat(inventory.assignOwner(List.of(discovered), dev.certwright.inventory.CertificateSource.DISCOVERED, "team-other", false))
                .as("a set owner is kept").isZero();
        assertThat(published).as("nothing changed, nothing published").hasSize(1);
    }

    @Test
    void aFullPassWalksInStepsAndHandsOutEachCertificateOnce() {
        List<Long> expected = new ArrayList<>();
        for (int i = 0; i < 350; i++) {
            // 350 expiries over 28 days, three at each instant
            expected.add(certificate(T0.plus(Duration.ofMinutes(60 + (i / 3) * 345L)), LONG_AGO));
        }
        List<Long> found = new ArrayList<>();
        int scans = 0;
        do {
            found.addAll(ids(scanAndRecord(500)));
            scans++;
        } while (scan.load("P30D").orElseThrow().passCursor() != null && scans < 20);
        assertThat(scans).as("walks of 100").isEqualTo(4);
        assertThat(found).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(scan.load("P30D").orElseThrow().mark()).isEqualTo(T0.plus(P30D));
    }

    @Test
    void theLimitIsKeptAndTheRestComesNextTime() {
        Set<Long> expected = new HashSet<>();
        for (int i = 0; i < 60; i++) {
            expected.add(certificate(T0.plus(Duration.ofHours(2 + i)), LONG_AGO));
        }
        Set<Long> found = new HashSet<>();
        scanInBatchesOf25(found, 60);
        assertThat(found).isEqualTo(expected);
        for (int i = 0; i < 60; i++) {
            expected.add(certificate(T0.plus(Duration.ofDays(1)).plusSeconds(i), T0.plus(Duration.ofMinutes(1))));
        }
        clock.set(T0.plus(Duration.ofMinutes(5)));
        scanInBatchesOf25(found, 120);
        assertThat(found).isEqualTo(expected);
    }

    @Test
    void theFullPassComesBackDailyAndAfterADowntimeNothingIsMissed() {
        scanAndRecord(500);
        long unseen = certificate(T0.plus(Duration.ofDays(20)), LONG_AGO);
        clock.set(T0.plus(Duration.ofDays(1)).plusSeconds(1));
        assertThat(ids(scanAndRecord(500))).as("the daily pass").containsExactly(unseen);
        // Two months down: the mark lies in the past.
        long afterDowntime = certificate(T0.plus(Duration.ofDays(70)), LONG_AGO);
        clock.set(T0.plus(Duration.ofDays(60)));
        assertThat(ids(scanAndRecord(500))).containsExactly(afterDowntime);
    }

    /** Scans with a limit of 25 until {@code found} holds {@code total}: no batch is larger or repeats a certificate. */
    void scanInBatchesOf25(Set<Long> found, int total) {
        for (int i = 0; i < 10 && found.size() < total; i++) {
            List<ExpiryScan.Expiring> due = scanAndRecord(25);
            assertThat(due).hasSizeLessThanOrEqualTo(25);
            assertThat(ids(due)).noneMatch(found::contains);
            found.addAll(ids(due));
        }
    }

    /** A scan, its certificates recorded as noticed, its position stored: what NoticeService does. */
    List<ExpiryScan.Expiring> scanAndRecord(int limit) {
        ExpiryScan.Batch batch = scan.next("P30D", P30D, limit);
        for (ExpiryScan.Expiring e : batch.due()) {
            jdbc.sql("INSERT INTO notice (certificate_id, event, threshold, channel, target, status, created_at) "
                            + "VALUES (:c, 'certificate.expiring', 'P30D', 'none', '', 'skipped', :t)")
                    .param("c", e.id()).param("t", Timestamps.of(clock.instant())).update();
        }
        scan.done(batch);
        return batch.due();
    }

    long certificate(Instant notAfter, Instant createdAt) {
        serials++;
        jdbc.sql("INSERT INTO certificate (serial, issuer_dn, issuer_name, status, source, profile, sans, not_before, not_after, owner, "
                        + "created_at, updated_at) VALUES (:serial, 'CN=Test', 'test', 'ISSUED', 'IMPORTED', 'tls-server', '', :nb, :na, 'team-a', :c, :c)")
                .param("serial", Integer.toHexString(serials)).param("nb", Timestamps.of(createdAt)).param("na", Timestamps.of(notAfter))
                .param("c", Timestamps.of(createdAt)).update();
        return jdbc.sql("SELECT MAX(id) FROM certificate").query(Long.class).single();
    }

    static List<Long> ids(List<ExpiryScan.Expiring> due) {
        return due.stream().map(ExpiryScan.Expiring::id).toList();
    }
}
