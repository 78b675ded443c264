package dev.certwright.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.sql.DataSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.support.MigratedH2;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.TestCertificates;

/** The V28 tables through ScanStore and CertificateEndpoints, on H2 here and on PostgreSQL in the subclass. */
class DiscoveryStoreTest {

    JdbcClient jdbc;
    ScanStore store;
    CertificateInventory inventory;
    CertificateEndpoints endpoints;
    final Clock clock = Clock.systemUTC();

    DataSource database() {
        return MigratedH2.create("discovery-store");
    }

    DataSource dataSource;

    @BeforeEach
    void setUp() {
        dataSource = database();
        jdbc = JdbcClient.create(dataSource);
        store = new ScanStore(jdbc);
        inventory = new CertificateInventory(jdbc, clock, event -> { });
        endpoints = new CertificateEndpoints(jdbc, inventory, null, clock, org.springframework.transaction.support.TransactionOperations.withoutTransaction());
    }

    @Test
    void aScanRoundTripsAndItsRunsAreClaimedOnceAndCountProgress() {
        ScanSpec spec = new ScanSpec("lab", List.of("127.0.0.1", "127.0.1.0/30"), List.of(443, 25), List.of("a.test"), Duration.ofMinutes(5), 4, 10);
        long id = store.insert(spec, "admin", clock.instant());
        assertThat(store.find("lab").orElseThrow().spec()).isEqualTo(spec);
        long run = store.queueRun(id, "admin", clock.instant());
        assertThat(store.claimQueued("node-a", clock.instant())).contains(run);
        assertThat(store.claimQueued("node-b", clock.instant())).isEmpty();
        store.total(run, 10, clock.instant());
        store.progress(run, 5, 4, 1, 2, List.of("127.0.0.1:25: refused"), clock.instant());
        store.finish(run, ScanRun.State.COMPLETED, null, clock.instant());
        ScanRun read = store.run(run).orElseThrow();
        assertThat(read).extracting(ScanRun::state, ScanRun::endpointsTotal, ScanRun::endpointsDone, ScanRun::handshakes, ScanRun::failures,
                ScanRun::certificatesNew).containsExactly(ScanRun.State.COMPLETED, 10, 5, 4, 1, 2);
        assertThat(read.errors()).containsExactly("127.0.0.1:25: refused");
        assertThat(store.claimDue(clock.instant().plus(Duration.ofMinutes(6)))).hasSize(1);
        assertThat(store.claimDue(clock.instant().plus(Duration.ofMinutes(6)))).isEmpty();
    }

    @Test
    void aRunLeftRunningByADeadNodeIsQueuedAgainOnceItsHeartbeatIsStaleAndALiveOneIsKept() {
        long id = store.insert(new ScanSpec("lab", List.of("127.0.0.1"), List.of(443), List.of(), null, 1, 1), "admin", clock.instant());
        Instant claimed = Instant.parse("2026-12-07T12:00:00Z");
        long dead = store.queueRun(id, "admin", claimed);
        long alive = store.queueRun(id, "admin", claimed);
        assertThat(store.claimQueued("node-killed", claimed)).contains(dead);
        assertThat(store.claimQueued("node-alive", claimed)).contains(alive);
        store.total(dead, 10, claimed);
        store.progress(dead, 3, 3, 0, 1, List.of(), claimed.plusSeconds(5));
        // The live node's heartbeat moves on; the killed node's stays at claimed + 5 s.
        store.progress(alive, 1, 1, 0, 0, List.of(), claimed.plusSeconds(70));

        assertThat(store.requeueStale(claimed.plusSeconds(5), claimed.plusSeconds(65))).as("a heartbeat at the limit is not stale").isEmpty();
        assertThat(store.requeueStale(claimed.plusSeconds(10), claimed.plusSeconds(70))).containsExactly(dead);
        assertThat(store.requeueStale(claimed.plusSeconds(10), claimed.plusSeconds(70))).as("once").isEmpty();

        ScanRun again = store.run(dead).orElseThrow();
        assertThat(again.state()).isEqualTo(ScanRun.State.QUEUED);
        assertThat(again).extracting(ScanRun::endpointsDone, ScanRun::handshakes, ScanRun::certificatesNew).containsExactly(0, 0, 0);
        assertThat(again.errors()).singleElement().asString().contains("node-killed").contains("queued again");
        assertThat(store.run(alive).orElseThrow().state()).isEqualTo(ScanRun.State.RUNNING);
        assertThat(store.claimQueued("node-restarted", claimed.plusSeconds(71))).contains(dead);
        assertThat(store.run(dead).orElseThrow().state()).isEqualTo(ScanRun.State.RUNNING);
    }

    @Test
    void theLargestScanTheApiTakesIsStored() {
        String label = "a".repeat(63);
        List<String> targets = java.util.stream.IntStream.range(0, ScanSpec.MAX_TARGETS)
                .mapToObj(i -> (label + "." + label + "." + label + "." + label).substring(0, 250) + String.format("%04d", i)).toList();
        List<Integer> ports = java.util.stream.IntStream.rangeClosed(64_512, 65_535).boxed().toList();
        List<String> names = java.util.stream.IntStream.range(0, ScanSpec.MAX_SERVER_NAMES)
                .mapToObj(i -> (label + "." + label + "." + label + "." + label).substring(0, 250) + String.format("%03d", i)).toList();
        ScanSpec spec = new ScanSpec("large", targets, ports, names, null, 1, 1);
        store.insert(spec, "admin", clock.instant());
        assertThat(store.find("large").orElseThrow().spec()).isEqualTo(spec);
    }

    @Test
    void aServedChainIsRecordedOnceAsDiscoveredAndAKnownCertificateGetsAnEndpoint() throws Exception {
        KeyPair rootKey = TestCertificates.ecKey();
        KeyPair leafKey = TestCertificates.ecKey();
        X509Certificate root = TestCertificates.certificate("CN=Root", rootKey.getPublic(), "CN=Root", rootKey.getPrivate(), true, null);
        X509Certificate leaf = TestCertificates.certificate("CN=leaf", leafKey.getPublic(), "CN=Root", rootKey.getPrivate(), false, null);
        long known = inventory.record(CertificateView.of(root), null, CertificateSource.IMPORTED, null, "team-pki", List.of(), "admin");
        ScanTargets.Address at = new ScanTargets.Address("web.test", InetAddress.getByName("127.0.0.1"));
        CertificateEndpoints.Recorded first = endpoints.record(at, 443, "a.test", EndpointProtocol.TLS, List.of(leaf, root),
                Set.of(Finding.NAME_MISMATCH), "lab");
        assertThat(first.created()).isEqualTo(1);
        assertThat(first.certificateIds().get(1)).isEqualTo(known);
        assertThat(endpoints.record(at, 443, "a.test", EndpointProtocol.TLS, List.of(leaf, root), Set.of(), "lab").created()).isZero();
        var discovered = inventory.find(first.certificateIds().getFirst()).orElseThrow();
        assertThat(discovered.source()).isEqualTo(CertificateSource.DISCOVERED);
        assertThat(discovered.owner()).isNull();
        List<Endpoint> seen = endpoints.of(discovered.id());
        assertThat(seen).singleElement().satisfies(e -> {
            assertThat(e.host()).isEqualTo("web.test");
            assertThat(e.serverName()).isEqualTo("a.test");
            assertThat(e.findings()).isEmpty(); // recomputed at the second sighting
            assertThat(e.firstSeen()).isBeforeOrEqualTo(e.lastSeen());
        });
        assertThat(endpoints.of(known)).singleElement().satisfies(e -> assertThat(e.leaf()).isFalse());
        endpoints.record(at, 8443, null, EndpointProtocol.TLS, List.of(leaf), Set.of(Finding.INCOMPLETE_CHAIN), "lab");
        assertThat(endpoints.findingCounts().get(Finding.INCOMPLETE_CHAIN)).isEqualTo(1);
        assertThat(endpoints.withFinding(Finding.INCOMPLETE_CHAIN, 10)).containsExactly(discovered.id());
        assertThat(Instant.now()).isAfter(discovered.createdAt().minusSeconds(1));
    }

    @Test
    void aBulkOwnerReachesDiscoveredCertificatesOnlyAndKeepsASetOwnerUnlessToldToOverwrite() throws Exception {
        KeyPair rootKey = TestCertificates.ecKey();
        X509Certificate root = TestCertificates.certificate("CN=Root", rootKey.getPublic(), "CN=Root", rootKey.getPrivate(), true, null);
        X509Certificate leaf = TestCertificates.certificate("CN=leaf", TestCertificates.ecKey().getPublic(), "CN=Root", rootKey.getPrivate(), false, null);
        long imported = inventory.record(CertificateView.of(root), null, CertificateSource.IMPORTED, null, "team-pki", List.of(), "admin");
        long discovered = endpoints.record(new ScanTargets.Address("web.test", InetAddress.getByName("127.0.0.1")), 443, null, EndpointProtocol.TLS,
                List.of(leaf, root), Set.of(), "lab").certificateIds().getFirst();

        assertThat(inventory.assignOwner(List.of(imported, discovered), CertificateSource.DISCOVERED, "team-web", false)).isEqualTo(1);
        assertThat(inventory.find(discovered).orElseThrow().owner()).isEqualTo("team-web");
        assertThat(inventory.find(imported).orElseThrow().owner()).as("an imported certificate keeps its owner").isEqualTo("team-pki");
        assertThat(inventory.assignOwner(List.of(discovered), CertificateSource.DISCOVERED, "team-edge", false)).isZero();
        assertThat(inventory.assignOwner(List.of(discovered), CertificateSource.DISCOVERED, "team-edge", true)).isEqualTo(1);
        assertThat(inventory.find(discovered).orElseThrow().owner()).isEqualTo("team-edge");
        assertThat(inventory.assignOwner(List.of(), CertificateSource.DISCOVERED, "team-edge", true)).isZero();
    }

    @Test
    void aCertificateAnotherHandshakeRecordedMeanwhileIsFoundWithoutAbortingTheTransaction() throws Exception {
        KeyPair key = TestCertificates.ecKey();
        X509Certificate leaf = TestCertificates.certificate("CN=default", key.getPublic(), "CN=default", key.getPrivate(), false, null);
        long theirs = inventory.record(CertificateView.of(leaf), null, CertificateSource.DISCOVERED, null, null, List.of(), "discovery:lab");
        // This handshake looked before the other one committed: its first lookup finds nothing, so its insert meets
        // the unique key, which on PostgreSQL aborts the transaction (a lookup in it then fails with 25P02).
        java.util.concurrent.atomic.AtomicBoolean raced = new java.util.concurrent.atomic.AtomicBoolean();
        CertificateInventory late = new CertificateInventory(jdbc, clock, event -> { }) {
            @Override
            public java.util.Optional<dev.certwright.inventory.CertificateRecord> findByIssuerAndSerial(String issuer,
                    dev.certwright.x509.SerialNumber serial) {
                return raced.getAndSet(true) ? super.findByIssuerAndSerial(issuer, serial) : java.util.Optional.empty();
            }
        };
        CertificateEndpoints racing = new CertificateEndpoints(jdbc, late, null, clock,
                new org.springframework.transaction.support.TransactionTemplate(new org.springframework.jdbc.support.JdbcTransactionManager(dataSource)));
        CertificateEndpoints.Recorded recorded = racing.record(new ScanTargets.Address("10.0.0.1", InetAddress.getByName("10.0.0.1")), 443, "a.test",
                EndpointProtocol.TLS, List.of(leaf), Set.of(), "lab");
        assertThat(recorded.certificateIds()).containsExactly(theirs);
        assertThat(recorded.created()).isZero();
        assertThat(endpoints.of(theirs)).singleElement().satisfies(e -> assertThat(e.serverName()).isEqualTo("a.test"));
    }
}
