package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.sun.net.httpserver.HttpServer;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Json;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;

/**
 * An imported certificate two days from expiry: its owner gets one email (a real SMTP server, GreenMail) and the
 * webhook one signed notice, after the webhook's first answer, a 500, made it retry; nothing is sent twice.
 */
class NoticesIT {

    static final String SECRET = "webhook-secret-" + java.util.UUID.randomUUID();
    /** The webhooks here are test servers on loopback, which webhooks may reach only when listed (WebhookAddresses). */
    static final String LOOPBACK_HOOKS = "--certwright.notify.allowed-hosts=127.0.0.1";

    @Test
    void anExpiringImportedCertificateIsNoticedOnceByEmailAndBySignedWebhook(@TempDir Path dir) throws Exception {
        Openssl openssl = new Openssl(dir);
        int smtpPort = CertwrightProcess.freePort();
        GreenMail smtp = new GreenMail(new ServerSetup(smtpPort, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        AtomicInteger calls = new AtomicInteger();
        List<String[]> delivered = new CopyOnWriteArrayList<>();
        hook.createContext("/hook", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int n = calls.incrementAndGet();
            int status = n == 1 ? 500 : 204; // the first delivery fails and must be retried
            if (status == 204) {
                delivered.add(new String[] {new String(body, StandardCharsets.UTF_8), exchange.getRequestHeaders().getFirst("Certwright-Signature")});
            }
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        hook.start();
        try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .arg("--spring.mail.host=127.0.0.1").arg("--spring.mail.port=" + smtpPort)
                .arg("--certwright.notify.webhook-url=http://127.0.0.1:" + hook.getAddress().getPort() + "/hook")
                .env("CERTWRIGHT_NOTIFY_WEBHOOK_SECRET", SECRET).arg(LOOPBACK_HOOKS).arg("--certwright.notify.scan-interval=PT2S")
                .arg("--certwright.inventory.snapshot-interval=PT2S")
                .arg("--certwright.notify.retry-backoff=PT1S"))) {
            String admin = app.adminToken();
            // Contacts: bad ones are refused; a viewer may read, not change.
            assertThat(app.send("PUT", "/api/v1/owners/team-legacy/contacts", admin, "application/json",
                    Json.write(Map.of("emails", List.of("not an address")))).status()).isEqualTo(400);
            assertThat(app.send("PUT", "/api/v1/owners/team-legacy/contacts", admin, "application/json",
                    Json.write(Map.of("webhooks", List.of("ftp://x")))).status()).isEqualTo(400);
            assertThat(app.send("PUT", "/api/v1/owners/team-legacy/contacts", admin, "application/json",
                    Json.write(Map.of("emails", List.of("ops@example.test")))).status()).isEqualTo(200);
            String viewer = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "viewer", "role", "VIEWER")).json().get("token").asString();
            assertThat(app.get("/api/v1/owners/team-legacy/contacts", viewer).json().get("emails").get(0).asString()).isEqualTo("ops@example.test");
            assertThat(app.send("PUT", "/api/v1/owners/team-legacy/contacts", viewer, "application/json", "{}").status()).isEqualTo(403);

            openssl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "legacy.key", "-subj",
                    "/CN=legacy.test", "-addext", "subjectAltName=DNS:legacy.test", "-days", "2", "-out", "legacy.pem").assertSuccess();
            var imported = app.postJson("/api/v1/certificates/import", admin, Map.of("pem", new String(openssl.read("legacy.pem"),
                    StandardCharsets.US_ASCII), "owner", "team-legacy"));
            assertThat(imported.status()).as(imported.toString()).isEqualTo(201);
            String serial = imported.json().get("serial").asString();

            await("a webhook delivery and a mail").atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> !delivered.isEmpty() && smtp.getReceivedMessages().length > 0);
            assertThat(delivered).as("webhook deliveries after a 500").hasSize(1);
            assertThat(calls.get()).isGreaterThanOrEqualTo(2);
            String body = delivered.get(0)[0];
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            assertThat(delivered.get(0)[1]).isEqualTo("sha256=" + HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8))));
            JsonNode notice = Json.parse(body);
            assertThat(notice.get("event").asString()).isEqualTo("certificate.expiring");
            assertThat(notice.get("threshold").asString()).isEqualTo("P7D");
            assertThat(notice.get("serial").asString()).isEqualTo(serial);
            assertThat(notice.get("names").toString()).contains("legacy.test");
            assertThat(notice.get("owner").asString()).isEqualTo("team-legacy");
            assertThat(notice.get("notAfter").asString()).isEqualTo(imported.json().get("notAfter").asString());

            MimeMessage[] mails = smtp.getReceivedMessages();
            assertThat(mails).hasSize(1);
            assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("ops@example.test");
            assertThat(mails[0].getSubject()).contains("legacy.test").contains("expires in");
            assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(mails[0])).contains(serial);

            // Several scans later: nothing more (once per threshold, the larger thresholds recorded as superseded). The notice
            // job never runs twice at once: two more ended runs include one that started after the deliveries above.
            long scans = noticeRuns(app, admin);
            await("two more notice scans").atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                    .until(() -> noticeRuns(app, admin) >= scans + 2);
            assertThat(delivered).hasSize(1);
            assertThat(smtp.getReceivedMessages()).hasSize(1);
            String metrics = app.get("/actuator/prometheus", admin).body();
            assertThat(metrics).contains("certwright_notices_total{channel=\"webhook\",outcome=\"sent\"")
                    .contains("certwright_notices_total{channel=\"webhook\",outcome=\"failed\"")
                    .contains("certwright_certificates{status=\"ISSUED\"}").contains("certwright_certificates_expiring{within=\"7d\"}")
                    .contains("certwright_issuer_not_after_seconds{issuer=\"dev-root\"}")
                    .contains("certwright_job_duration_seconds_count{job=\"notices\",outcome=\"success\"}");
            assertThat(app.log()).doesNotContain(SECRET);
        } finally {
            hook.stop(0);
            smtp.stop();
        }
    }

    /**
     * A managed certificate whose renewal the policy now refuses (the CA configuration changed between restarts):
     * two attempts, then the slot is flagged, audited, and its owner's webhook gets a signed renewal.failed notice.
     */
    @Test
    void aRenewalThatKeepsFailingIsFlaggedAndItsOwnerTold(@TempDir Path dir) throws Exception {
        Path allowed = dir.resolve("allowed.yml");
        java.nio.file.Files.writeString(allowed, java.nio.file.Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml")));
        Path narrowed = dir.resolve("narrowed.yml");
        java.nio.file.Files.writeString(narrowed, java.nio.file.Files.readString(allowed).replace("\"*.test\", ", ""));
        assertThat(java.nio.file.Files.readString(narrowed)).contains("dnsNames: [localhost, \"*.internal\"]");
        HttpServer hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        List<String> bodies = new CopyOnWriteArrayList<>();
        hook.createContext("/owner-hook", exchange -> {
            bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        String hookUrl = "http://127.0.0.1:" + hook.getAddress().getPort() + "/owner-hook";
        try {
            String admin;
            try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                    .arg("--certwright.ca-config=" + allowed).env("CERTWRIGHT_NOTIFY_WEBHOOK_SECRET", SECRET).arg(LOOPBACK_HOOKS))) {
                admin = app.adminToken();
                assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "doomed", "profile", "short-lived",
                        "dnsNames", List.of("doomed.test"), "owner", "team-doomed", "validity", "PT2M", "renewBefore", "PT110S")).status())
                        .isEqualTo(201);
                assertThat(app.send("PUT", "/api/v1/owners/team-doomed/contacts", admin, "application/json",
                        Json.write(Map.of("webhooks", List.of(hookUrl)))).status()).isEqualTo(200);
            }
            try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                    .arg("--certwright.ca-config=" + narrowed).env("CERTWRIGHT_NOTIFY_WEBHOOK_SECRET", SECRET).arg(LOOPBACK_HOOKS)
                    .arg("--certwright.renewal.scan-interval=PT1S").arg("--certwright.renewal.max-attempts=2")
                    .arg("--certwright.renewal.retry-backoff=PT1S").arg("--certwright.notify.scan-interval=PT1S"))) {
                await("a renewal.failed notice").atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(500))
                        .until(() -> bodies.stream().anyMatch(b -> b.contains("renewal.failed")));
                JsonNode renewal = app.get("/api/v1/managed-certificates/doomed", admin).json().get("renewal");
                assertThat(renewal.get("failedAttempts").asInt()).isEqualTo(2);
                assertThat(renewal.has("flaggedAt")).isTrue();
                assertThat(renewal.has("renewAt")).as("no more automatic attempts").isFalse();
                assertThat(renewal.get("lastError").asString()).contains("doomed.test");
                JsonNode failed = Json.parse(bodies.stream().filter(b -> b.contains("renewal.failed")).findFirst().orElseThrow());
                assertThat(failed.get("managedCertificate").asString()).isEqualTo("doomed");
                assertThat(failed.get("owner").asString()).isEqualTo("team-doomed");
                assertThat(failed.get("error").asString()).contains("doomed.test");
                assertThat(app.get("/api/v1/audit-log?action=managed-certificate.renewal-flagged", admin).body()).contains("doomed");
                // By hand it is refused with a problem document, not a 500.
                var refused = app.send("POST", "/api/v1/managed-certificates/doomed/renew", admin, null, null);
                assertThat(refused.status()).as(refused.toString()).isBetween(400, 499);
                assertThat(refused.contentType()).startsWith("application/problem+json");
            }
        } finally {
            hook.stop(0);
        }
    }

    private static final java.util.regex.Pattern NOTICE_RUNS =
            java.util.regex.Pattern.compile("(?m)^certwright_job_duration_seconds_count\\{[^}]*job=\"notices\"[^}]*} (\\S+)$");

    /** How many notice scans the node has run (ended, with any outcome), from its Prometheus metrics. */
    private static long noticeRuns(CertwrightProcess app, String token) {
        var metrics = app.get("/actuator/prometheus", token);
        assertThat(metrics.status()).as(metrics.toString()).isEqualTo(200);
        long runs = 0;
        java.util.regex.Matcher m = NOTICE_RUNS.matcher(metrics.body());
        while (m.find()) {
            runs += (long) Double.parseDouble(m.group(1));
        }
        return runs;
    }
}
