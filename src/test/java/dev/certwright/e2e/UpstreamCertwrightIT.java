package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.TestDatabase;
import dev.certwright.x509.Pem;
import tools.jackson.databind.JsonNode;

/**
 * Node A takes its {@code public} profile's certificates from node B's own ACME server (decision 76), which serves ARI
 * (RFC 9773): A's renewal is scheduled inside B's suggested window, a renewal sends {@code replaces} (B links the
 * successor to its predecessor), and a revocation at A revokes at B. B validates http-01 against A's plain-HTTP
 * listener. A runs on PostgreSQL, B on H2.
 */
class UpstreamCertwrightIT {

    @Test
    void followsTheUpstreamsAriWindowSendsReplacesAndRevokesUpstream(@TempDir Path dir) throws Exception {
        Path configFile = dir.resolve("a-ca-config.yml");
        Files.writeString(configFile, Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"), StandardCharsets.UTF_8));
        // A on PostgreSQL, B on H2: V29 and the upstream SQL run on both. B asks for an external account binding (RFC
        // 8555 §7.3.4), so B starts first: its admin makes the EAB key, which A reads from its environment; B validates
        // http-01 against A's plain-HTTP port, chosen before either starts.
        int aHttp = CertwrightProcess.freePort();
        try (TestDatabase database = TestDatabase.postgres();
                CertwrightProcess b = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("b"), TestDatabase.h2())
                        .arg("--certwright.acme.http01-port=" + aHttp).arg("--certwright.acme.external-account-required=true"))) {
            String bAdmin = b.adminToken();
            Response eab = b.postJson("/api/v1/acme/eab-keys", bAdmin, Map.of("owner", "team-edge", "dnsNames", List.of("localhost")));
            assertThat(eab.status()).as(eab.toString()).isEqualTo(201);
            Path trust = dir.resolve("b-root.pem");
            Files.writeString(trust, Pem.encodeChain(List.of(b.root())));
            UpstreamPebbleIT.config(dir, "https://localhost:" + b.httpsPort() + "/acme/directory", trust);
            Files.writeString(configFile, Files.readString(dir.resolve("ca-config.yml"), StandardCharsets.UTF_8)
                    .replace("upstream: pebble", "upstream: node-b").replace("\n  pebble:\n", "\n  node-b:\n")
                    .replace("    challenge: http-01\n", "    challenge: http-01\n    eab: {kidEnv: NODE_B_EAB_KID, hmacEnv: NODE_B_EAB_HMAC}\n"));
            try (CertwrightProcess a = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("a"), database).httpPort(aHttp)
                    .env("NODE_B_EAB_KID", eab.json().get("kid").asString()).env("NODE_B_EAB_HMAC", eab.json().get("hmacKey").asString())
                    .arg("--certwright.ca-config=" + configFile).arg("--certwright.upstream.allowed-hosts=127.0.0.0/8,::1/128,localhost")
                    .arg("--certwright.upstream.ari-interval=PT1S").arg("--certwright.upstream.ari-poll-min=PT1S")
                    .arg("--certwright.upstream.ari-poll-max=PT2S").arg("--certwright.renewal.scan-interval=PT1S"))) {
                obtainRenewAndRevoke(a, b, bAdmin, eab.json().get("hmacKey").asString());
            }
        }
    }

    static void obtainRenewAndRevoke(CertwrightProcess a, CertwrightProcess b, String bAdmin, String hmac) {
        {
            String admin = a.adminToken();
            Response created = a.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web", "profile", "public",
                    "dnsNames", List.of("localhost"), "owner", "team-web"));
            assertThat(created.status()).as(created + "\n" + a.log()).isEqualTo(201);
            String first = created.json().get("serial").asString();
            assertThat(a.get("/api/v1/certificates/" + first, admin).json().get("source").asString()).isEqualTo("UPSTREAM");
            JsonNode atB = b.get("/api/v1/certificates/" + first, bAdmin).json();
            assertThat(atB.get("source").asString()).isEqualTo("ACME");
            assertThat(atB.get("owner").asString()).as("B's certificate belongs to the EAB key's owner").isEqualTo("team-edge");
            assertThat(a.log()).as("the EAB secret is never logged").doesNotContain(hmac);
            assertThat(a.get("/api/v1/audit-log?subjectType=upstream&subjectId=node-b", admin).body()).doesNotContain(hmac);

            // RFC 9773 §4.2: B suggests the last third of the life; A renews at a time inside that window.
            Instant notBefore = Instant.parse(atB.get("notBefore").asString());
            Instant notAfter = Instant.parse(atB.get("notAfter").asString());
            Instant windowStart = notAfter.minus(java.time.Duration.between(notBefore, notAfter).dividedBy(3));
            Instant renewAt = Instant.parse(created.json().get("renewal").get("renewAt").asString());
            assertThat(renewAt).as("renewal inside B's ARI window").isBetween(windowStart.minusSeconds(120), notAfter);
            assertThat(a.get("/api/v1/audit-log?subjectType=upstream&subjectId=node-b", admin).body()).contains("ariWindow=");

            Response renewed = a.send("POST", "/api/v1/managed-certificates/web/renew", admin, null, null);
            assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
            String second = renewed.json().get("serial").asString();
            assertThat(b.get("/api/v1/certificates/" + second, bAdmin).json().get("predecessorSerial").asString())
                    .as("B saw replaces").isEqualTo(first);
            assertThat(a.get("/api/v1/audit-log?subjectType=upstream&subjectId=node-b", admin).body()).contains("replaces=");

            // RFC 9773 §4.3: B's operator asks for early renewal; A polls renewalInfo again, sees the moved window and
            // renews on its own, again with replaces.
            Response advanced = b.postJson("/api/v1/acme/renewal-info/advance", bAdmin, Map.of("serials", List.of(second)));
            assertThat(advanced.json().get("advanced").asInt()).as(advanced.toString()).isEqualTo(1);
            String[] third = new String[1];
            org.awaitility.Awaitility.await("A renews inside B's moved window").atMost(java.time.Duration.ofSeconds(90))
                    .pollInterval(java.time.Duration.ofMillis(500)).until(() -> {
                        third[0] = a.get("/api/v1/managed-certificates/web", admin).json().get("serial").asString();
                        return !third[0].equals(second);
                    });
            assertThat(a.get("/api/v1/audit-log?action=upstream.renewal-window.changed", admin).body()).contains("managed=web");
            assertThat(b.get("/api/v1/certificates/" + third[0], bAdmin).json().get("predecessorSerial").asString())
                    .as("B saw replaces again").isEqualTo(second);
            String current = third[0];

            Response revoked = a.postJson("/api/v1/managed-certificates/web/revoke", admin, Map.of("reason", "keyCompromise"));
            assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
            JsonNode revokedAtB = b.get("/api/v1/certificates/" + current, bAdmin).json();
            assertThat(revokedAtB.get("status").asString()).isEqualTo("REVOKED");
            assertThat(revokedAtB.get("revocationReason").asString()).isEqualTo("keyCompromise");
        }
    }
}
