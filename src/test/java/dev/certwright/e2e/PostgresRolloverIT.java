package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/** Issuer rollover on PostgreSQL, and a second node sharing it that switches to the successor made on the first. */
class PostgresRolloverIT extends RolloverEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Test
    void aSecondNodePicksUpTheRolloverAndSwitchesAtTheSameTime(@TempDir Path secondData) throws Exception {
        try (CertwrightProcess second = CertwrightProcess.start(timings(new CertwrightProcess.Options(secondData, database)
                .env("CERTWRIGHT_CA_PASSPHRASE", app.readSecret("ca/passphrase"))))) {
            Instant switchAt = Instant.now().plus(Duration.ofSeconds(10)).truncatedTo(ChronoUnit.SECONDS);
            Response rolled = rollover("peer-issuing", Map.of("switchAt", switchAt.toString()));
            assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
            X509Certificate successor = Openssl.parse(rolled.json().get("certificatePem").asString());
            // The other node sees the new generation within its refresh, standing by like here.
            await("the second node's registry").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250))
                    .until(() -> second.get("/api/v1/issuers/peer-issuing-g2", admin).status() == 200);
            assertThat(second.plain("GET", "/ca/peer-issuing-g2.crt", null, null).body()).isEqualTo(successor.getEncoded());
            await("the switch on the second node").atMost(Duration.ofSeconds(40)).pollInterval(Duration.ofMillis(250))
                    .until(() -> second.get("/api/v1/issuers/peer-issuing-g2", admin).json().get("state").asString().equals("ACTIVE"));
            // It signs with the key the first node made.
            Map<String, Object> body = new HashMap<>(Map.of("csr", openssl.csr("/CN=peer-after.test", "subjectAltName=DNS:peer-after.test"),
                    "profile", "peer-server", "owner", "team-rollover"));
            Response issued = second.postJson("/api/v1/certificates", admin, body);
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
            assertThat(issued.json().get("issuer").asString()).isEqualTo("peer-issuing-g2");
            X509Certificate leaf = Openssl.parse(issued.json().get("certificatePem").asString());
            leaf.verify(successor.getPublicKey());
            assertThat(aki(leaf)).isEqualTo(ski(successor));
        }
    }
}
