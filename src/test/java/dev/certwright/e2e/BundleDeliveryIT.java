package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/** The service pull API: scoped service tokens, the three formats checked with openssl, ETag/304 and long-polls. */
class BundleDeliveryIT {

    @Test
    void aServiceReadsItsOwnBundleAndLongPollsForTheRenewedOne(@TempDir Path dir) throws Exception {
        Openssl openssl = new Openssl(dir);
        try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                .arg("--certwright.renewal.scan-interval=PT1S"))) {
            String admin = app.adminToken();
            // Due 32 to 40 s after issuance (renewBefore 80 s of a 2-minute life, minus up to 10 % jitter).
            assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "api", "profile", "short-lived",
                    "dnsNames", List.of("api.test"), "owner", "team-api", "validity", "PT2M", "renewBefore", "PT80S")).status()).isEqualTo(201);
            assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "other", "profile", "tls-server",
                    "dnsNames", List.of("other.test"), "owner", "team-other")).status()).isEqualTo(201);

            Response created = app.postJson("/api/v1/service-tokens", admin, Map.of("name", "api-host", "managedCertificates", List.of("api")));
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(created.headers().get("cache-control")).contains("no-store");
            String service = created.json().get("token").asString();
            assertThat(app.postJson("/api/v1/service-tokens", admin, Map.of("name", "bad", "managedCertificates", List.of("nope"))).status())
                    .isEqualTo(400);
            assertThat(app.postJson("/api/v1/service-tokens", admin, Map.of("name", "api-host", "managedCertificates", List.of("api"))).status())
                    .isEqualTo(409);
            assertThat(app.get("/api/v1/service-tokens", admin).body()).contains("api-host").doesNotContain(service);

            // PEM: leaf, chain, key; the key belongs to the leaf; the chain verifies to our root.
            Response pem = app.get("/api/v1/managed-certificates/api/bundle", service);
            assertThat(pem.status()).as(pem.toString()).isEqualTo(200);
            String etag = pem.headers().get("etag").get(0);
            assertThat(etag).startsWith("\"").endsWith(".pem\"");
            assertThat(pem.headers().get("cache-control")).contains("no-store");
            openssl.write("bundle.pem", pem.body());
            openssl.write("root.pem", Openssl.pem(app.root()));
            String leafKey = openssl.run("x509", "-in", "bundle.pem", "-noout", "-pubkey").assertSuccess().output();
            String keyPub = openssl.run("pkey", "-in", "bundle.pem", "-pubout").assertSuccess().output();
            assertThat(keyPub.trim()).isEqualTo(leafKey.trim());
            openssl.write("chain.pem", pem.body().substring(pem.body().indexOf("-----END CERTIFICATE-----") + 26, pem.body().indexOf("-----BEGIN PRIVATE KEY")));
            openssl.run("verify", "-CAfile", "root.pem", "-untrusted", "chain.pem", "bundle.pem").assertSuccess();

            // Not modified; other slots, other roles and no token are refused.
            assertThat(app.get("/api/v1/managed-certificates/api/bundle", service, "If-None-Match", etag).status()).isEqualTo(304);
            assertThat(app.get("/api/v1/managed-certificates/other/bundle", service).status()).isEqualTo(403);
            assertThat(app.get("/api/v1/managed-certificates/api/bundle", admin).status()).as("not even an admin reads keys").isEqualTo(403);
            assertThat(app.get("/api/v1/managed-certificates/api/bundle", null).status()).isEqualTo(401);
            assertThat(app.get("/api/v1/managed-certificates/api", service).status()).as("a service token reads nothing else").isEqualTo(403);
            assertThat(app.get("/api/v1/issuers", service).status()).isEqualTo(403);

            // JSON and PKCS#12 (openssl opens it with the caller's password and finds key and chain).
            Response json = app.get("/api/v1/managed-certificates/api/bundle?format=json", service);
            assertThat(json.json().get("privateKeyPem").asString()).startsWith("-----BEGIN PRIVATE KEY-----");
            assertThat(json.headers().get("etag").get(0)).endsWith(".json\"");
            HttpResponse<byte[]> p12 = app.client().send(HttpRequest.newBuilder(app.https("/api/v1/managed-certificates/api/bundle?format=pkcs12"))
                    .header("Authorization", "Bearer " + service).header("Certwright-Bundle-Password", "correct horse battery").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(p12.statusCode()).isEqualTo(200);
            openssl.write("bundle.p12", p12.body());
            // To a file: with -info, openssl's stderr lines would interleave with the PEM in one stream (see H2RolloverIT).
            openssl.run("pkcs12", "-in", "bundle.p12", "-passin", "pass:correct horse battery", "-nodes", "-info", "-out", "bundle-contents.pem")
                    .assertSuccess();
            String info = java.nio.file.Files.readString(openssl.work().resolve("bundle-contents.pem"));
            assertThat(info).contains("BEGIN PRIVATE KEY").contains("BEGIN CERTIFICATE");
            assertThat(openssl.run("pkcs12", "-in", "bundle.p12", "-passin", "pass:wrong password", "-nodes").exitCode()).isNotZero();
            for (String bad : List.of("?format=pkcs12", "?format=der", "?wait=PT6M", "?wait=soon")) {
                Response refused = app.get("/api/v1/managed-certificates/api/bundle" + bad, service);
                assertThat(refused.status()).as(bad).isEqualTo(400);
                assertThat(refused.contentType()).startsWith("application/problem+json");
            }

            // A long-poll that times out answers 304; many wait at once; one returns the renewed bundle.
            long t0 = System.nanoTime();
            assertThat(app.get("/api/v1/managed-certificates/api/bundle?wait=PT2S", service, "If-None-Match", etag).status()).isEqualTo(304);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
            List<CompletableFuture<HttpResponse<String>>> waits = new ArrayList<>();
            for (int i = 0; i < 90; i++) { // HTTP/2: Tomcat allows 100 concurrent streams per connection
                waits.add(app.client().sendAsync(HttpRequest.newBuilder(app.https("/api/v1/managed-certificates/api/bundle?wait=PT60S"))
                        .timeout(Duration.ofSeconds(90)).header("Authorization", "Bearer " + service).header("If-None-Match", etag).build(),
                        HttpResponse.BodyHandlers.ofString()));
            }
            // While 90 requests wait, the server still answers at once.
            long t1 = System.nanoTime();
            assertThat(app.get("/api/v1/managed-certificates/api", admin).status()).isEqualTo(200);
            assertThat(Duration.ofNanos(System.nanoTime() - t1)).isLessThan(Duration.ofSeconds(2));
            HttpResponse<String> renewed = waits.get(0).get(90, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(renewed.statusCode()).as(renewed.body()).isEqualTo(200);
            String newEtag = renewed.headers().firstValue("etag").orElseThrow();
            assertThat(newEtag).isNotEqualTo(etag);
            for (CompletableFuture<HttpResponse<String>> wait : waits) {
                HttpResponse<String> response = wait.get(90, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("etag")).contains(newEtag);
            }
            String newSerial = app.get("/api/v1/managed-certificates/api", admin).json().get("serial").asString();
            assertThat(newEtag).isEqualTo("\"" + newSerial + ".pem\"");

            // scripts/certwright-pull.sh: writes the files with tight modes and reloads only when something changed.
            Path tokenFile = openssl.write("service.token", service);
            Path target = dir.resolve("etc-ssl-api");
            String reload = "echo reloaded >> " + dir.resolve("reloads");
            String[] pull = {"bash", CertwrightProcess.PROJECT.resolve("scripts/certwright-pull.sh").toString(), "--server",
                    "https://localhost:" + app.httpsPort(), "--name", "api", "--token-file", tokenFile.toString(), "--dir", target.toString(),
                    "--cacert", dir.resolve("root.pem").toString(), "--reload", reload};
            dev.certwright.support.Commands.run(dir, pull).assertSuccess();
            assertThat(java.nio.file.Files.readAllLines(dir.resolve("reloads"))).hasSize(1);
            assertThat(java.nio.file.Files.getPosixFilePermissions(target.resolve("key.pem")))
                    .containsExactlyInAnyOrder(java.nio.file.attribute.PosixFilePermission.OWNER_READ, java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
            assertThat(openssl.run("x509", "-in", target.resolve("cert.pem").toString(), "-noout", "-serial").assertSuccess().output())
                    .containsIgnoringCase(newSerial);
            openssl.run("verify", "-CAfile", "root.pem", "-untrusted", target.resolve("chain.pem").toString(), target.resolve("cert.pem").toString())
                    .assertSuccess();
            assertThat(java.nio.file.Files.readString(target.resolve("fullchain.pem")).split("BEGIN CERTIFICATE", -1)).hasSize(3);
            dev.certwright.support.Commands.run(dir, pull).assertSuccess();
            assertThat(java.nio.file.Files.readAllLines(dir.resolve("reloads"))).as("unchanged: no reload").hasSize(1);
            assertThat(app.send("POST", "/api/v1/managed-certificates/api/renew", admin, null, null).status()).isEqualTo(200);
            dev.certwright.support.Commands.run(dir, pull).assertSuccess();
            assertThat(java.nio.file.Files.readAllLines(dir.resolve("reloads"))).hasSize(2);
            assertThat(java.nio.file.Files.readString(target.resolve(".etag"))).doesNotContain(newSerial);

            // Key deliveries are audited; a revoked service token is refused.
            assertThat(app.get("/api/v1/audit-log?action=managed-certificate.bundle-delivered", admin).body()).contains("token:api-host");
            assertThat(app.send("DELETE", "/api/v1/service-tokens/api-host", admin, null, null).status()).isEqualTo(204);
            assertThat(app.get("/api/v1/managed-certificates/api/bundle", service).status()).isEqualTo(401);
            assertThat(app.log()).doesNotContain(service).doesNotContain("BEGIN PRIVATE KEY");
        }
    }
}
