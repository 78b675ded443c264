package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Managed certificates renew themselves when due, once per window across nodes, and on request.
 *
 * <p>The three tests run at the same time (each has its own nodes, database and folder, and shares nothing with the
 * others): most of their time is waiting for certificates to come due, and those waits overlap.
 */
@Execution(ExecutionMode.CONCURRENT)
class RenewalIT {

    @Test
    void aShortLivedManagedCertificateRenewsByItselfAndOnRequest(@TempDir Path dir) throws Exception {
        try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .arg("--certwright.renewal.scan-interval=PT1S"))) {
            String admin = app.adminToken();
            // Two minutes of life, renewed 100 s before the end (minus up to 10 % jitter): due 10 to 20 s after issuance.
            Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web", "profile", "short-lived",
                    "dnsNames", List.of("web.test"), "owner", "team-web", "validity", "PT2M", "renewBefore", "PT100S"));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            String first = created.json().get("serial").asString();
            JsonNode renewal = created.json().get("renewal");
            java.time.Instant notAfter = java.time.Instant.parse(created.json().get("notAfter").asString());
            java.time.Instant renewAt = java.time.Instant.parse(renewal.get("renewAt").asString());
            assertThat(Duration.between(renewAt, notAfter)).isBetween(Duration.ofSeconds(100), Duration.ofSeconds(110));

            JsonNode slot = awaitInstances(app, admin, "web", 2, Duration.ofSeconds(60));
            String second = slot.get("serial").asString();
            assertThat(second).isNotEqualTo(first);
            JsonNode successor = app.get("/api/v1/certificates/" + second, admin).json();
            assertThat(successor.get("predecessorSerial").asString()).isEqualTo(first);
            assertThat(app.get("/api/v1/certificates/" + first, admin).json().get("successorSerial").asString()).isEqualTo(second);
            assertThat(app.get("/api/v1/certificates/" + first, admin).json().get("status").asString()).as("the predecessor stays valid")
                    .isEqualTo("ISSUED");
            assertThat(slot.get("renewal").get("failedAttempts").asInt()).isZero();
            assertThat(java.time.Instant.parse(slot.get("renewal").get("renewAt").asString())).isAfter(renewAt);
            JsonNode audit = app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + second, admin).json();
            assertThat(audit.get(0).get("actor").asString()).isEqualTo("system:renewal");
            assertThat(audit.get(0).get("details").asString()).contains("managed=web").contains("predecessor=");

            assertThat(app.get("/actuator/prometheus", admin).body())
                    .contains("certwright_renewals_total{outcome=\"success\",trigger=\"schedule\"}");
            // On request, by an operator; not by a viewer; an unknown name is 404.
            String viewer = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "viewer", "role", "VIEWER")).json().get("token").asString();
            assertThat(app.send("POST", "/api/v1/managed-certificates/web/renew", viewer, null, null).status()).isEqualTo(403);
            assertThat(app.send("POST", "/api/v1/managed-certificates/nope/renew", admin, null, null).status()).isEqualTo(404);
            Response renewed = app.send("POST", "/api/v1/managed-certificates/web/renew", admin, null, null);
            assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
            assertThat(renewed.json().get("history").size()).isGreaterThanOrEqualTo(3);
            String third = renewed.json().get("serial").asString();
            assertThat(app.get("/api/v1/certificates/" + third, admin).json().get("predecessorSerial").asString())
                    .isIn(second, slot.get("serial").asString());
            assertThat(app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + third, admin).json().get(0).get("actor").asString())
                    .isEqualTo("token:admin");

            // revokeSuperseded: a slot with no deployment targets has its replaced instance revoked as superseded at once;
            // without it (above) the predecessor stays valid.
            Response strict = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "strict", "profile", "tls-server",
                    "dnsNames", List.of("strict.test"), "owner", "team-web", "revokeSuperseded", true));
            assertThat(strict.status()).as(strict.toString()).isEqualTo(201);
            assertThat(strict.json().get("revokeSuperseded").asBoolean()).isTrue();
            String replaced = strict.json().get("serial").asString();
            assertThat(app.send("POST", "/api/v1/managed-certificates/strict/renew", admin, null, null).status()).isEqualTo(200);
            JsonNode old = app.get("/api/v1/certificates/" + replaced, admin).json();
            assertThat(old.get("status").asString()).isEqualTo("REVOKED");
            assertThat(old.toString()).contains("superseded");
            assertThat(app.get("/api/v1/certificates/" + second, admin).json().get("status").asString()).isEqualTo("ISSUED");
        }
    }

    /**
     * Two nodes on one PostgreSQL, ten managed certificates due within the same few seconds: each is renewed exactly
     * once in its window, counted from the inventory (instances per slot, and successors per predecessor) after two more
     * scans have run since the last renewal, so a duplicate would have been made by then.
     */
    @Test
    void twoNodesRenewEachCertificateExactlyOncePerWindow(@TempDir Path dir) throws Exception {
        TestDatabase database = TestDatabase.postgres();
        CertwrightProcess first = null;
        try {
            first = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("a"), database).arg("--certwright.renewal.scan-interval=PT1S"));
            String admin = first.adminToken();
            try (CertwrightProcess second = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("b"), database)
                    .env("CERTWRIGHT_CA_PASSPHRASE", first.readSecret("ca/passphrase")).env("CERTWRIGHT_ADMIN_TOKEN", admin)
                    .arg("--certwright.renewal.scan-interval=PT1S"))) {
                long started = System.nanoTime();
                List<String> names = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    String name = "fleet-" + i;
                    names.add(name);
                    // Due 37.5 to 45 s after issuance (renewBefore 75 s plus up to 10 % jitter); the successor, made no earlier
                    // than that, is due no earlier than 37.5 s after it: the first window ends 75 s after the start at the earliest.
                    Response created = (i % 2 == 0 ? first : second).postJson("/api/v1/managed-certificates", admin, Map.of("name", name,
                            "profile", "short-lived", "dnsNames", List.of(name + ".test"), "owner", "fleet", "validity", "PT2M", "renewBefore", "PT75S"));
                    assertThat(created.status()).as(created.toString()).isEqualTo(201);
                }
                for (String name : names) {
                    awaitInstances(second, admin, name, 2, Duration.ofSeconds(100));
                }
                // The scan is one job for the cluster that never runs twice at once (@DisallowConcurrentExecution): once two
                // more runs have ended on either node, any scan that was under way when the last renewal showed has ended too,
                // and every later one found nothing due. A duplicate from the other node would have shown by now.
                CertwrightProcess one = first;
                long scans = scanRuns(one, admin) + scanRuns(second, admin);
                await("two more renewal scans").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> scanRuns(one, admin) + scanRuns(second, admin) >= scans + 2);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).as("still inside the first window").isLessThan(Duration.ofSeconds(73));
                Map<String, Integer> instances = new HashMap<>();
                Set<String> predecessors = new HashSet<>();
                for (String name : names) {
                    JsonNode history = first.get("/api/v1/managed-certificates/" + name, admin).json().get("history");
                    instances.put(name, history.size());
                    for (JsonNode instance : history) {
                        String predecessor = first.get("/api/v1/certificates/" + instance.get("serial").asString(), admin).json()
                                .path("predecessorSerial").asString("");
                        if (!predecessor.isEmpty()) {
                            assertThat(predecessors.add(predecessor)).as("one successor for %s", predecessor).isTrue();
                        }
                    }
                }
                assertThat(instances).allSatisfy((name, count) -> assertThat(count).as(name).isEqualTo(2));
                assertThat(predecessors).hasSize(10);
                // Both nodes took part in the scans over the run, or one did them all: either way, no duplicates.
                assertThat(first.log() + second.log()).contains("renewed managed certificate fleet-");
            }
        } finally {
            CertwrightProcess.stopAll(first, database, dir);
        }
    }

    /**
     * PostgreSQL becomes unreachable before three certificates come due and stays away until their due times have passed:
     * the scans fail meanwhile, and when the database is back each certificate is renewed, once.
     */
    @Test
    void renewalResumesAfterTheDatabaseWasUnreachable(@TempDir Path dir) throws Exception {
        TestDatabase database = TestDatabase.postgres();
        String pgPort = System.getenv().getOrDefault("CERTWRIGHT_TEST_PG_URL", "jdbc:postgresql://127.0.0.1:5432/").replaceAll(".*:(\\d+)/.*", "$1");
        CertwrightProcess app = null;
        try (dev.certwright.support.TcpProxy proxy = dev.certwright.support.TcpProxy.to(Integer.parseInt(pgPort))) {
            app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), ((TestDatabase.Postgres) database).via(proxy.port()))
                    .arg("--certwright.renewal.scan-interval=PT1S").arg("--certwright.renewal.retry-backoff=PT2S"));
            String admin = app.adminToken();
            List<String> names = List.of("outage-0", "outage-1", "outage-2");
            Instant firstDue = Instant.MAX;
            Instant lastDue = Instant.MIN;
            for (String name : names) {
                // Due 10.5 to 15 s after issuance: time enough to make all three and cut the database before the first.
                Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", name, "profile", "short-lived",
                        "dnsNames", List.of(name + ".test"), "owner", "ops", "validity", "PT1M", "renewBefore", "PT45S"));
                assertThat(created.status()).as(created.toString()).isEqualTo(201);
                Instant due = Instant.parse(created.json().get("renewal").get("renewAt").asString());
                firstDue = due.isBefore(firstDue) ? due : firstDue;
                lastDue = due.isAfter(lastDue) ? due : lastDue;
            }
            proxy.cut();
            assertThat(Instant.now()).as("the database went away before the first certificate came due").isBefore(firstDue);
            // The due times pass while the database is away (and two scan intervals more, for scans that find them due and fail).
            Instant passed = lastDue.plusSeconds(2);
            await("the due times pass").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> Instant.now().isAfter(passed));
            proxy.restore();
            for (String name : names) {
                awaitInstances(app, admin, name, 2, Duration.ofSeconds(60));
            }
            for (String name : names) {
                assertThat(app.get("/api/v1/managed-certificates/" + name, admin).json().get("history").size()).as(name).isEqualTo(2);
            }
            assertThat(app.get("/actuator/health", null).status()).isEqualTo(200);
        } finally {
            CertwrightProcess.stopAll(app, database, dir);
        }
    }

    private static JsonNode awaitInstances(CertwrightProcess app, String token, String name, int count, Duration limit) {
        return await("%d instances of %s".formatted(count, name)).atMost(limit).pollInterval(Duration.ofMillis(500))
                .until(() -> app.get("/api/v1/managed-certificates/" + name, token).json(), slot -> issued(slot) >= count);
    }

    /**
     * The instances of a slot that were issued: its history also lists a renewal's PENDING row from the moment its
     * serial is reserved (committed before signing) until it is recorded, and the slot still names its predecessor then.
     */
    private static long issued(JsonNode slot) {
        long n = 0;
        for (JsonNode instance : slot.get("history")) {
            String status = instance.get("status").asString();
            n += "PENDING".equals(status) || "FAILED".equals(status) ? 0 : 1;
        }
        return n;
    }

    private static final Pattern SCAN_RUNS = Pattern.compile("(?m)^certwright_job_duration_seconds_count\\{[^}]*job=\"renewal-scan\"[^}]*} (\\S+)$");

    /** How many renewal scans this node has run (ended, with any outcome), from its Prometheus metrics. */
    private static long scanRuns(CertwrightProcess app, String token) {
        Response metrics = app.get("/actuator/prometheus", token);
        assertThat(metrics.status()).as(metrics.toString()).isEqualTo(200);
        long runs = 0;
        Matcher m = SCAN_RUNS.matcher(metrics.body());
        while (m.find()) {
            runs += (long) Double.parseDouble(m.group(1));
        }
        return runs;
    }
}
