import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Order;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;

import com.sun.net.httpserver.HttpServer;

/**
 * ACME load client for scripts/bench/acme.sh: WORKERS accounts, each running full orders (new order, http-01 answered
 * by an in-process server, finalize, certificate download) back to back for SECONDS. Polling is a tight fetch loop (1 ms
 * apart) for both servers, so neither is measured through acme4j's default poll interval. Prints one RESULT line.
 *
 * Usage: java -cp <acme4j classpath> AcmeLoad.java DIRECTORY TRUSTED_PEM...
 * (env WORKERS, WARMUP_WORKERS, DURATION_SECONDS, WARMUP, HTTP01_PORT, SERVER_PID for its CPU, STEPS=1 for per-step means)
 */
public class AcmeLoad {

    static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        String directory = args[0];
        int workers = Integer.parseInt(System.getenv().getOrDefault("WORKERS", "8"));
        int seconds = Integer.parseInt(System.getenv().getOrDefault("DURATION_SECONDS", "20"));
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP", "10"));
        int port = Integer.parseInt(System.getenv().getOrDefault("HTTP01_PORT", "5002"));
        // Workers beyond WARMUP_WORKERS start when the warm-up ends (pebble 2.4 deadlocks sooner under concurrent load).
        int warmupWorkers = Integer.parseInt(System.getenv().getOrDefault("WARMUP_WORKERS", Integer.toString(workers)));
        SSLContext.setDefault(trusting(List.of(args).subList(1, args.length)));

        HttpServer http01 = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 256);
        http01.createContext("/.well-known/acme-challenge/", exchange -> {
            String answer = TOKENS.getOrDefault(exchange.getRequestURI().getPath().substring("/.well-known/acme-challenge/".length()), "");
            byte[] body = answer.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(body.length == 0 ? 404 : 200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        var executor = java.util.concurrent.Executors.newFixedThreadPool(8);
        http01.setExecutor(executor);
        http01.start();

        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        long warmupEnd = System.nanoTime() + warmup * 1_000_000_000L;
        long end = warmupEnd + seconds * 1_000_000_000L;
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            boolean late = w >= warmupWorkers;
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    if (late) {
                        Thread.sleep(Math.max(0, (warmupEnd - System.nanoTime()) / 1_000_000));
                    }
                    Session session = new Session(URI.create(directory));
                    Login login = new AccountBuilder().agreeToTermsOfService().useKeyPair(ec()).createLogin(session);
                    KeyPair domainKey = ec();
                    while (System.nanoTime() < end) {
                        long started = System.nanoTime();
                        try {
                            order(login, "load-" + UUID.randomUUID().toString().substring(0, 12) + ".test", domainKey);
                            if (started > warmupEnd) {
                                latencies.add(System.nanoTime() - started);
                            }
                        } catch (Exception e) {
                            if (started > warmupEnd) {
                                errors.incrementAndGet();
                            }
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    e.printStackTrace();
                }
            }));
        }
        // CPU spent in the measured window, by this client and (SERVER_PID) by the server: who the cores went to.
        long serverPid = Long.parseLong(System.getenv().getOrDefault("SERVER_PID", "0"));
        Thread.sleep(Math.max(0, (warmupEnd - System.nanoTime()) / 1_000_000));
        // Step times count from here: the measured window only (an order under way at this instant is counted in part).
        for (var adder : STEP_NANOS) {
            adder.reset();
        }
        ORDERS.reset();
        POLLS.reset();
        long clientCpu0 = clientCpuNanos();
        long serverCpu0 = serverCpuNanos(serverPid);
        for (Thread t : threads) {
            t.join();
        }
        long clientCpu = clientCpuNanos() - clientCpu0;
        long serverCpu = serverCpuNanos(serverPid) - serverCpu0;
        http01.stop(0);
        executor.shutdownNow();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6;
        if (System.getenv("STEPS") != null) {
            long total = POLLS.sum();
            StringBuilder steps = new StringBuilder("STEPS (mean ms per order, measured window)");
            long count = Math.max(1, ORDERS.sum());
            for (int i = 0; i < STEP_NAMES.length; i++) {
                steps.append(' ').append(STEP_NAMES[i]).append('=').append(String.format("%.2f", STEP_NANOS[i].sum() / 1e6 / count));
            }
            System.out.println(steps.append(" polls/order=").append(String.format("%.1f", total / (double) count)));
        }
        double perOrder = Math.max(1, sorted.size()) * 1e6;
        System.out.printf("RESULT orders=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f errors=%d client_cpu_ms=%.2f server_cpu_ms=%.2f%n", sorted.size(),
                sorted.size() / (double) seconds, p50, p99, errors.get(), clientCpu / perOrder, serverCpu / perOrder);
        System.exit(0);
    }

    /** Time spent per step of an order (STEPS=1 prints the means): where a slow order loses its time. */
    static final String[] STEP_NAMES = {"newOrder", "authz", "trigger", "authzValid", "orderReady", "finalize", "orderValid", "download"};
    static final java.util.concurrent.atomic.LongAdder[] STEP_NANOS = new java.util.concurrent.atomic.LongAdder[STEP_NAMES.length];
    static final java.util.concurrent.atomic.LongAdder ORDERS = new java.util.concurrent.atomic.LongAdder();
    static final java.util.concurrent.atomic.LongAdder POLLS = new java.util.concurrent.atomic.LongAdder();
    static {
        for (int i = 0; i < STEP_NANOS.length; i++) {
            STEP_NANOS[i] = new java.util.concurrent.atomic.LongAdder();
        }
    }

    static long step(int index, long since) {
        long now = System.nanoTime();
        STEP_NANOS[index].add(now - since);
        return now;
    }

    static void order(Login login, String domain, KeyPair domainKey) throws Exception {
        long t = System.nanoTime();
        Order order = login.newOrder().domain(domain).create();
        t = step(0, t);
        for (Authorization authorization : order.getAuthorizations()) {
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
            TOKENS.put(challenge.getToken(), challenge.getAuthorization());
            t = step(1, t);
            challenge.trigger();
            t = step(2, t);
            await(() -> {
                authorization.fetch();
                return authorization.getStatus();
            });
            t = step(3, t);
            TOKENS.remove(challenge.getToken());
        }
        await(() -> {
            order.fetch();
            return order.getStatus();
        });
        t = step(4, t);
        order.execute(domainKey);
        t = step(5, t);
        await(() -> {
            order.fetch();
            return order.getStatus();
        });
        t = step(6, t);
        X509Certificate certificate = order.getCertificate().getCertificate();
        step(7, t);
        ORDERS.increment();
        if (certificate == null) {
            throw new IllegalStateException("no certificate");
        }
    }

    static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** utime + stime of a process from /proc (clock ticks, 100 per second on Linux), in nanoseconds; 0 without a pid. */
    static long serverCpuNanos(long pid) throws java.io.IOException {
        if (pid <= 0) {
            return 0;
        }
        String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10_000_000L;
    }

    interface Poll {
        Status status() throws Exception;
    }

    /** Polls until the resource leaves pending/processing, 1 ms apart, for at most 30 s. */
    static void await(Poll poll) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            POLLS.increment();
            Status status = poll.status();
            if (status == Status.VALID || status == Status.READY) {
                return;
            }
            if (status == Status.INVALID) {
                throw new IllegalStateException("invalid");
            }
            Thread.sleep(1);
        }
        throw new IllegalStateException("timed out");
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static SSLContext trusting(List<String> pemFiles) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int i = 0;
        for (String file : pemFiles) {
            try (FileInputStream in = new FileInputStream(file)) {
                for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    store.setCertificateEntry("ca-" + i++, certificate);
                }
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
