package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Pebble;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * A managed certificate on a profile that names an upstream ACME CA (decision 76) is obtained from Debian's pebble
 * with acme4j, pebble validating http-01 against Certwright's own plain-HTTP listener; it is renewed and revoked there,
 * and the inventory keeps pebble's chain with source UPSTREAM; a KEK rotation in between re-wraps the account key. Pebble 2.4.0 serves no renewalInfo, so no ARI here.
 */
class UpstreamPebbleIT {

    @Test
    void obtainsRenewsAndRevokesAtPebbleOverHttp01(@TempDir Path dir) throws Exception {
        Pebble.requireInstalled();
        int[] pebblePorts = Pebble.ports();
        Path pebbleDir = dir.resolve("pebble");
        String config = config(dir, "https://127.0.0.1:" + pebblePorts[0] + "/dir", Pebble.tlsCertificate(pebbleDir));
        try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .arg(config).arg("--certwright.upstream.allowed-hosts=127.0.0.1/32").arg("--certwright.kek.rewrap-interval=PT1S"));
                Pebble pebble = Pebble.start(pebbleDir, pebblePorts, app.httpPort(), null)) {
            String admin = app.adminToken();
            Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web", "profile", "public",
                    "dnsNames", List.of("web.test"), "owner", "team-web"));
            assertThat(created.status()).as(created + "\n" + app.log()).isEqualTo(201);
            String first = created.json().get("serial").asString();
            JsonNode record = app.get("/api/v1/certificates/" + first, admin).json();
            assertThat(record.get("source").asString()).isEqualTo("UPSTREAM");
            assertThat(record.get("issuer").asString()).isEqualTo("upstream:pebble");
            assertThat(record.get("issuerDn").asString()).contains("Pebble Intermediate CA");
            assertThat(created.json().get("chainPem").asString()).as("pebble's chain is kept").contains("BEGIN CERTIFICATE");
            assertThat(pebble.status(first)).startsWith("200").contains("Valid");

            // The http-01 answer is gone once the order is done; an unknown token is a problem document, not a 500.
            var missing = app.plain("GET", "/.well-known/acme-challenge/no-such-token", null, null);
            assertThat(missing.status()).isEqualTo(404);

            // A KEK rotation re-wraps the account key too (decision 68); the renewal below logs in with it.
            Response rotated = app.send("POST", "/api/v1/kek/rotate", admin, null, null);
            assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
            String kek = rotated.json().get("currentKekId").asString();
            Awaitility.await("the rotation to " + kek + " completed").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        JsonNode status = app.get("/api/v1/kek", admin).json();
                        return status.get("currentKekId").asString().equals(kek) && status.get("state").asString().equals("COMPLETED")
                                && status.get("keysLeft").asLong() == 0;
                    });

            Response renewed = app.send("POST", "/api/v1/managed-certificates/web/renew", admin, null, null);
            assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
            String second = renewed.json().get("serial").asString();
            assertThat(second).isNotEqualTo(first);
            JsonNode successor = app.get("/api/v1/certificates/" + second, admin).json();
            assertThat(successor.get("source").asString()).isEqualTo("UPSTREAM");
            assertThat(successor.get("predecessorSerial").asString()).isEqualTo(first);
            assertThat(renewed.json().get("renewal").get("renewAt").asString()).as("the renewal path schedules it").isNotBlank();

            Response revoked = app.postJson("/api/v1/managed-certificates/web/revoke", admin, Map.of("reason", "keyCompromise"));
            assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
            assertThat(app.get("/api/v1/certificates/" + second, admin).json().get("status").asString()).isEqualTo("REVOKED");
            Awaitility.await("pebble says revoked").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> pebble.status(second).contains("Revoked"));

            String audit = app.get("/api/v1/audit-log?subjectType=upstream&subjectId=pebble", admin).body();
            assertThat(audit).contains("upstream.account.created").contains("upstream.order.created")
                    .contains("upstream.certificate.obtained").contains("upstream.certificate.revoked");
            assertThat(audit.split("upstream.account.created", -1)).as("one account, made once").hasSize(2);
            assertThat(app.log()).doesNotContain("BEGIN PRIVATE KEY").doesNotContain("BEGIN EC PRIVATE KEY");

            // The dashboard shows our account at pebble: its URL and thumbprint, never the key.
            var page = dev.certwright.support.DashboardSession.signedIn(app, "admin", app.readSecret("admin-password")).get("/acme-accounts");
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("upstream-accounts").contains("pebble").contains("/my-account/").doesNotContain("PRIVATE");
        }
    }

    /** dev.yml with the upstream pebble and a profile {@code public} that names it. */
    static String config(Path dir, String directory, Path trustBundle) throws Exception {
        String dev = Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"), StandardCharsets.UTF_8);
        String copy = dev.replaceFirst("(?m)^profiles:\n", """
                profiles:
                  public:
                    upstream: pebble
                    extendedKeyUsages: [serverAuth]
                    minValidity: PT1H
                    maxValidity: P90D
                    defaultValidity: P90D
                """) + """

                upstreams:
                  pebble:
                    directory: "%s"
                    trustBundle: "%s"
                    contact: mailto:ops@example.com
                    challenge: http-01
                """.formatted(directory, trustBundle);
        Path file = dir.resolve("ca-config.yml");
        Files.writeString(file, copy, StandardCharsets.UTF_8);
        return "--certwright.ca-config=" + file;
    }
}
