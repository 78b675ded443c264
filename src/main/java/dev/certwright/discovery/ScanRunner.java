package dev.certwright.discovery;

import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import javax.security.auth.x500.X500Principal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.inventory.CertificateInventory;
import org.springframework.stereotype.Component;

/**
 * Runs one claimed run: resolves the scan's targets (and refuses the run when one is no longer allowed), then shakes
 * hands with every address, port and server name (and once without SNI), at most {@code concurrency} at a time and
 * {@code ratePerSecond} started per second, each bounded by {@code certwright.discovery.timeout}, on virtual threads.
 * Progress is committed in batches, so that the run's page shows it.
 */
@Component
class ScanRunner {

    private static final Logger log = LoggerFactory.getLogger(ScanRunner.class);
    private static final int BATCH = 64;
    /** The longest a running run's heartbeat stays still while handshakes end (see {@link ScanStore#requeueStale}). */
    static final java.time.Duration HEARTBEAT = java.time.Duration.ofSeconds(10);

    private final ScanStore store;
    private final CertificateEndpoints endpoints;
    private final DiscoveryProperties properties;
    private final CertificateInventory inventory;
    private final DeploymentQueries deployments;
    private final Clock clock;

    ScanRunner(ScanStore store, CertificateEndpoints endpoints, DiscoveryProperties properties, CertificateInventory inventory,
            DeploymentQueries deployments, Clock clock) {
        this.store = store;
        this.endpoints = endpoints;
        this.properties = properties;
        this.inventory = inventory;
        this.deployments = deployments;
        this.clock = clock;
    }

    /** One handshake to make. */
    record Work(ScanTargets.Address address, int port, String serverName, EndpointProtocol protocol) {

        String describe() {
            return address.text() + ":" + port + (serverName == null ? "" : " (SNI " + serverName + ")");
        }
    }

    void run(long runId) {
        Scan scan = store.find(store.scanOfRun(runId)).orElseThrow();
        ScanSpec spec = scan.spec();
        List<Work> work;
        try {
            work = plan(spec);
        } catch (DiscoveryException e) {
            store.finish(runId, ScanRun.State.FAILED, e.getMessage(), clock.instant());
            log.warn("discovery run {} of scan {} refused: {}", runId, spec.name(), e.getMessage());
            return;
        }
        store.total(runId, work.size(), clock.instant());
        Set<X500Principal> anchors = anchors();
        DriftWatch drift = DriftWatch.of(deployments.expectedLeaves());
        Progress progress = new Progress(runId);
        Semaphore slots = new Semaphore(spec.concurrency());
        long interval = TimeUnit.SECONDS.toNanos(1) / spec.ratePerSecond();
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < work.size(); i++) {
                // Rate: the i-th handshake starts no earlier than i intervals after the first.
                long wait = start + i * interval - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                slots.acquire();
                Work item = work.get(i);
                threads.submit(() -> {
                    try {
                        shake(item, anchors, drift, spec.name(), progress);
                    } finally {
                        slots.release();
                    }
                });
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            progress.flush();
            store.finish(runId, ScanRun.State.FAILED, "interrupted: the node is stopping", clock.instant());
            return;
        }
        progress.flush();
        store.finish(runId, ScanRun.State.COMPLETED, null, clock.instant());
        log.info("discovery run {} of scan {} completed: {} endpoints", runId, spec.name(), work.size());
    }

    /** Every handshake the scan asks for: address × port × (no SNI, then each server name). */
    List<Work> plan(ScanSpec spec) {
        List<ScanTargets.Address> addresses = new ScanTargets(properties.allowedNetworks(), properties.maxAddresses()).resolve(spec.targets());
        List<Work> work = new ArrayList<>();
        for (ScanTargets.Address address : addresses) {
            for (int port : spec.ports()) {
                EndpointProtocol protocol = EndpointProtocol.forPort(port, properties.starttlsPorts());
                work.add(new Work(address, port, null, protocol));
                for (String serverName : spec.serverNames()) {
                    work.add(new Work(address, port, serverName, protocol));
                }
            }
        }
        return work;
    }

    private void shake(Work item, Set<X500Principal> anchors, DriftWatch drift, String scan, Progress progress) {
        try {
            TlsHandshake.Served served = TlsHandshake.handshake(item.address().address(), item.port(), item.serverName(), item.protocol(),
                    properties.timeout());
            Set<Finding> findings = Finding.of(served.chain(), item.serverName(), anchors, clock.instant());
            if (drift.drifted(item.address(), item.port(), item.serverName(), served.chain().getFirst())) {
                findings.add(Finding.DRIFT);
            }
            CertificateEndpoints.Recorded recorded = endpoints.record(item.address(), item.port(), item.serverName(), item.protocol(),
                    served.chain(), findings, scan);
            progress.add(true, recorded.created(), null);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            progress.add(false, 0, item.describe() + ": " + why);
        }
    }

    /** The subjects a chain may end at: the JDK's trust anchors and Certwright's own issuers. */
    private Set<X500Principal> anchors() {
        Set<X500Principal> subjects = new HashSet<>();
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init((KeyStore) null);
            Arrays.stream(factory.getTrustManagers()).filter(X509TrustManager.class::isInstance).map(X509TrustManager.class::cast)
                    .flatMap(tm -> Arrays.stream(tm.getAcceptedIssuers())).map(X509Certificate::getSubjectX500Principal).forEach(subjects::add);
        } catch (GeneralSecurityException e) {
            log.warn("the JDK's trust anchors cannot be read; every chain will read as from an unknown issuer: {}", e.getMessage());
        }
        inventory.caSubjects().forEach(s -> subjects.add(new X500Principal(s)));
        return subjects;
    }

    /** Counts kept in memory and committed every {@link #BATCH} endpoints. */
    private final class Progress {

        private final long runId;
        private final AtomicInteger done = new AtomicInteger();
        private int pendingDone;
        private int pendingHandshakes;
        private int pendingFailures;
        private int pendingCreated;
        private final List<String> pendingErrors = new ArrayList<>();
        private long lastFlush = System.nanoTime();

        Progress(long runId) {
            this.runId = runId;
        }

        synchronized void add(boolean handshake, int created, String error) {
            pendingDone++;
            if (handshake) {
                pendingHandshakes++;
            } else {
                pendingFailures++;
            }
            pendingCreated += created;
            if (error != null && pendingErrors.size() < ScanStore.MAX_ERRORS) {
                pendingErrors.add(error);
            }
            // Each batch, and at least every HEARTBEAT: a handshake ends within the timeout, so while the run goes the
            // heartbeat moves (decision 75: a run whose node died is queued again).
            if (done.incrementAndGet() % BATCH == 0 || System.nanoTime() - lastFlush > HEARTBEAT.toNanos()) {
                flush();
            }
        }

        synchronized void flush() {
            if (pendingDone == 0) {
                return;
            }
            store.progress(runId, pendingDone, pendingHandshakes, pendingFailures, pendingCreated, List.copyOf(pendingErrors), clock.instant());
            lastFlush = System.nanoTime();
            pendingDone = 0;
            pendingHandshakes = 0;
            pendingFailures = 0;
            pendingCreated = 0;
            pendingErrors.clear();
        }
    }
}
