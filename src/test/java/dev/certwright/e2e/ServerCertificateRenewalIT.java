package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.TestCaConfig;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/** The HTTPS listener's certificate renews itself before it expires, and the new one is served without a restart. */
class ServerCertificateRenewalIT {

    @Test
    void aShortLivedServerCertificateIsRenewedAndHotSwapped(@TempDir Path dir) throws Exception {
        String admin = "env-admin-token-" + java.util.UUID.randomUUID();
        // A thirty-second server certificate (a ca-config copy whose short-lived profile admits it): due when ten seconds
        // are left, and the check that serves the new one runs every two seconds.
        try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .arg(TestCaConfig.shortLivedDownTo(dir, Duration.ofSeconds(30)))
                .env("CERTWRIGHT_ADMIN_TOKEN", admin).env("CERTWRIGHT_ADMIN_PASSWORD", "env password 123")
                .env("CERTWRIGHT_CA_PASSPHRASE", "env ca passphrase 123")
                .arg("--certwright.tls.profile=short-lived").arg("--certwright.tls.validity=PT30S").arg("--certwright.tls.check-interval=PT2S").arg("--certwright.renewal.scan-interval=PT2S"))) {
            // Secrets given in the environment are used as they are, and never written to the data dir or the log.
            assertThat(dir.resolve("data/admin-token")).doesNotExist();
            assertThat(dir.resolve("data/admin-password")).doesNotExist();
            assertThat(dir.resolve("data/ca/passphrase")).doesNotExist();
            assertThat(app.get("/api/v1/issuers", admin).status()).isEqualTo(200);
            assertThat(app.log()).doesNotContain(admin).doesNotContain("env password 123").doesNotContain("env ca passphrase 123");
            X509Certificate first = app.servedLeaf();
            long lifeSeconds = (first.getNotAfter().getTime() - first.getNotBefore().getTime()) / 1000;
            assertThat(lifeSeconds).isBetween(30L, 65L);

            // Renewal is due when less than a third of the life is left; wait at most the whole life plus margin.
            X509Certificate current = org.awaitility.Awaitility.await("a new served certificate").atMost(java.time.Duration.ofSeconds(lifeSeconds + 30))
                    .pollInterval(java.time.Duration.ofSeconds(2)).until(app::servedLeaf, leaf -> !leaf.getSerialNumber().equals(first.getSerialNumber()));
            assertThat(current.getSerialNumber()).as("a new certificate is served").isNotEqualTo(first.getSerialNumber());
            assertThat(current.getNotAfter()).isAfter(first.getNotAfter());
            assertThat(first.getNotAfter().toInstant()).as("renewed before the old one expired").isAfter(java.time.Instant.now().minusSeconds(5));

            JsonNode slot = app.get("/api/v1/managed-certificates/certwright-server", admin).json();
            assertThat(slot.get("history").size()).isGreaterThanOrEqualTo(2);
            String newSerial = current.getSerialNumber().toString(16);
            JsonNode successor = app.get("/api/v1/certificates/" + newSerial, admin).json();
            JsonNode predecessorChain = successor;
            // The served certificate descends from the first one through predecessor links.
            String walk = predecessorChain.path("predecessorSerial").asString();
            while (walk != null && !walk.isEmpty() && !new BigInteger(walk, 16).equals(first.getSerialNumber())) {
                walk = app.get("/api/v1/certificates/" + walk, admin).json().path("predecessorSerial").asString();
            }
            assertThat(new BigInteger(walk, 16)).isEqualTo(first.getSerialNumber());
            assertThat(app.get("/api/v1/audit-log?subjectType=certificate&subjectId=" + successor.get("serial").asString(), admin).json())
                    .hasSize(1);
            assertThat(app.log()).contains("renewed managed certificate certwright-server").contains("now serving server certificate serial");
        }
    }

}
