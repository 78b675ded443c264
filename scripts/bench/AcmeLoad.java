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
 * Usage: java -cp <acme4j classpath> AcmeLoad.java DIRECTORY TRUSTED_PEM... (env WORKERS, DURATION_SECONDS, WARMUP, HTTP01_PORT)
 */
public class AcmeLoad {

    static final Map<String, String> TOKENS = new ConcurrentHashMap<>();

    public static void main(String[] args) throws Exception {
        String directory = args[0];
        int workers = Integer.parseInt(System.getenv().getOrDefault("WORKERS", "8"));
        int seconds = Integer.parseInt(System.getenv().getOrDefault("DURATION_SECONDS", "20"));
        int warmup = Integer.parseInt(System.getenv().getOrDefault("WARMUP", "10"));
        int port = Integer.parseInt(System.getenv().getOrDefault("HTTP01_PORT", "5002"));
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
            threads.add(Thread.ofPlatform().start(() -> {
                try {
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
        for (Thread t : threads) {
            t.join();
        }
        http01.stop(0);
        executor.shutdownNow();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double p50 = sorted.isEmpty() ? 0 : sorted.get(sorted.size() / 2) / 1e6;
        double p99 = sorted.isEmpty() ? 0 : sorted.get(Math.min(sorted.size() - 1, (int) (sorted.size() * 0.99))) / 1e6;
        System.out.printf("RESULT orders=%d rps=%.1f p50_ms=%.1f p99_ms=%.1f errors=%d%n", sorted.size(), sorted.size() / (double) seconds,
                p50, p99, errors.get());
        System.exit(0);
    }

    static void order(Login login, String domain, KeyPair domainKey) throws Exception {
        Order order = login.newOrder().domain(domain).create();
        for (Authorization authorization : order.getAuthorizations()) {
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
            TOKENS.put(challenge.getToken(), challenge.getAuthorization());
            challenge.trigger();
            await(() -> {
                authorization.fetch();
                return authorization.getStatus();
            });
            TOKENS.remove(challenge.getToken());
        }
        await(() -> {
            order.fetch();
            return order.getStatus();
        });
        order.execute(domainKey);
        await(() -> {
            order.fetch();
            return order.getStatus();
        });
        X509Certificate certificate = order.getCertificate().getCertificate();
        if (certificate == null) {
            throw new IllegalStateException("no certificate");
        }
    }

    interface Poll {
        Status status() throws Exception;
    }

    /** Polls until the resource leaves pending/processing, 1 ms apart, for at most 30 s. */
    static void await(Poll poll) throws Exception {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
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
