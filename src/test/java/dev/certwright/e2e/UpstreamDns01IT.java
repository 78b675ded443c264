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
import org.xbill.DNS.Type;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Named;
import dev.certwright.support.Pebble;
import dev.certwright.support.TestDatabase;

/**
 * dns-01 for an upstream (decision 76): Certwright writes the TXT record into a real BIND 9 by RFC 2136 update signed
 * with TSIG, pebble (resolving through that named) validates it, and the record is removed afterwards. Obtained,
 * renewed and revoked; pebble 2.4.0 serves no ARI (UpstreamCertwrightIT covers it).
 */
class UpstreamDns01IT {

    @Test
    void obtainsRenewsAndRevokesAtPebbleOverDns01WithTsig(@TempDir Path dir) throws Exception {
        Pebble.requireInstalled();
        Named.requireInstalled();
        try (Named named = Named.start(dir.resolve("named"), "test")) {
            int[] pebblePorts = Pebble.ports();
            Path pebbleDir = dir.resolve("pebble");
            String config = UpstreamPebbleIT.config(dir, "https://127.0.0.1:" + pebblePorts[0] + "/dir", Pebble.tlsCertificate(pebbleDir));
            Path file = Path.of(config.substring("--certwright.ca-config=".length()));
            Files.writeString(file, Files.readString(file, StandardCharsets.UTF_8).replace("    challenge: http-01\n", """
                        challenge: dns-01
                        dns:
                          server: "%s"
                          zone: test
                          tsigKeyName: %s
                          tsigSecretEnv: UPSTREAM_TSIG_SECRET
                    """.formatted(named.address(), Named.KEY_NAME)));
            try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                    .arg(config).arg("--certwright.upstream.allowed-hosts=127.0.0.1/32").env("UPSTREAM_TSIG_SECRET", named.secret()));
                    Pebble pebble = Pebble.start(pebbleDir, pebblePorts, CertwrightProcess.freePort(), named.address())) {
                String admin = app.adminToken();
                Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "dns", "profile", "public",
                        "dnsNames", List.of("dns.test"), "owner", "team-dns"));
                assertThat(created.status()).as(created + "\n" + app.log()).isEqualTo(201);
                String first = created.json().get("serial").asString();
                assertThat(app.get("/api/v1/certificates/" + first, admin).json().get("source").asString()).isEqualTo("UPSTREAM");
                assertThat(named.lookup("_acme-challenge.dns.test", Type.TXT)).as("the TXT record is cleaned up").isEmpty();

                Response renewed = app.send("POST", "/api/v1/managed-certificates/dns/renew", admin, null, null);
                assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
                String second = renewed.json().get("serial").asString();
                assertThat(app.get("/api/v1/certificates/" + second, admin).json().get("predecessorSerial").asString()).isEqualTo(first);

                Response revoked = app.postJson("/api/v1/managed-certificates/dns/revoke", admin, Map.of("reason", "cessationOfOperation"));
                assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
                Awaitility.await("pebble says revoked").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                        .until(() -> pebble.status(second).contains("Revoked"));
                assertThat(app.log()).doesNotContain(named.secret());
            }
        }
    }
}
