package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Binary;
import dev.certwright.support.TestDatabase;

/** Revocation end to end on PostgreSQL, and across two nodes sharing it. */
class PostgresRevocationIT extends RevocationEndToEnd {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }

    @Test
    void aRevocationOnOneNodeIsAnsweredByTheOtherWithinOneSecond(@TempDir Path secondData) throws Exception {
        Issued victim = issue("two-nodes", "tls-server", null);
        Set<String> firstNode = quartzInstances();
        try (CertwrightProcess second = CertwrightProcess.start(new CertwrightProcess.Options(secondData, database)
                .env("CERTWRIGHT_CA_PASSPHRASE", app.readSecret("ca/passphrase")).arg("--certwright.ca-config=" + caConfig)
                .arg("--certwright.crl.publish-delay=" + PUBLISH_DELAY))) {
            byte[] request = request(victim, false);
            // The second node loads the responders when it is ready.
            Binary[] answer = new Binary[1];
            org.awaitility.Awaitility.await("the second node's OCSP responder").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        answer[0] = second.plain("POST", "/ocsp", "application/ocsp-request", request);
                        return new org.bouncycastle.cert.ocsp.OCSPResp(answer[0].body()).getStatus() == 0;
                    });
            Binary before = answer[0];
            assertThat(status(before.body())).isEqualTo("good");

            long started = System.nanoTime();
            assertThat(revoke(victim.serial(), "keyCompromise").status()).isEqualTo(200);
            String status = "good";
            while (!status.equals("revoked") && System.nanoTime() - started < Duration.ofSeconds(3).toNanos()) {
                status = status(second.plain("POST", "/ocsp", "application/ocsp-request", request).body());
            }
            assertThat(status).isEqualTo("revoked");
            assertThat((System.nanoTime() - started) / 1_000_000).as("revoked on node 1, answered by node 2").isLessThan(1000);
            // Both nodes serve the same CRL, published once.
            awaitCrlEntry("/crl/dev-issuing.crl", victim.certificate().getSerialNumber(), PUBLISH_DELAY.plusSeconds(5));
            Binary one = app.plain("GET", "/crl/dev-issuing.crl", null, null);
            Binary two = second.plain("GET", "/crl/dev-issuing.crl", null, null);
            assertThat(two.header("ETag")).isEqualTo(one.header("ETag"));
            assertThat(two.body()).isEqualTo(one.body());
        }
        // A node that stops lets its running jobs finish: a fired trigger it left behind would keep that job from
        // running on the other node until cluster recovery gives up on the stopped one (about twenty seconds).
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet left = s.executeQuery("SELECT instance_name, trigger_name FROM qrtz_fired_triggers")) {
            List<String> stale = new ArrayList<>();
            while (left.next()) {
                if (!firstNode.contains(left.getString(1))) {
                    stale.add(left.getString(1) + ": " + left.getString(2));
                }
            }
            assertThat(stale).as("fired triggers the stopped node left").isEmpty();
        }
    }

    Set<String> quartzInstances() throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet rows = s.executeQuery("SELECT instance_name FROM qrtz_scheduler_state")) {
            Set<String> names = new HashSet<>();
            while (rows.next()) {
                names.add(rows.getString(1));
            }
            assertThat(names).as("the first node's Quartz instance").hasSize(1);
            return names;
        }
    }
}
