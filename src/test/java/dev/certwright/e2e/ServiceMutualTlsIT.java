package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Commands;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/**
 * A service authenticates with its own managed certificate over mTLS (curl, as a service host would): it reads and
 * renews only its own slot; a certificate of another slot's, a replaced-twice, revoked, unmanaged or foreign one
 * does not authenticate. The certificate is serverAuth-only, as most services' are.
 */
class ServiceMutualTlsIT {

    @Test
    void aServiceReadsAndRenewsOnlyItsOwnSlotWithItsOwnCertificate(@TempDir Path dir) throws Exception {
        Openssl openssl = new Openssl(dir);
        try (CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2()))) {
            String admin = app.adminToken();
            for (String name : List.of("svc", "other")) {
                assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", name, "profile", "tls-server",
                        "dnsNames", List.of(name + ".test"), "owner", "team-" + name)).status()).isEqualTo(201);
            }
            String token = app.postJson("/api/v1/service-tokens", admin, Map.of("name", "svc-host", "managedCertificates", List.of("svc")))
                    .json().get("token").asString();
            openssl.write("root.pem", Openssl.pem(app.root()));
            Path svc = dir.resolve("svc");
            String server = "https://localhost:" + app.httpsPort();
            // Bootstrap: the first pull with the service token; from then on the service needs no token.
            Path tokenFile = openssl.write("svc.token", token);
            pull(app, dir, "--token-file", tokenFile.toString(), "--dir", svc.toString()).assertSuccess();
            assertThat(openssl.run("x509", "-in", svc.resolve("cert.pem").toString(), "-noout", "-ext", "extendedKeyUsage").assertSuccess().output())
                    .contains("TLS Web Server Authentication").doesNotContain("Client");
            Files.copy(svc.resolve("cert.pem"), dir.resolve("first.pem"));
            Files.copy(svc.resolve("key.pem"), dir.resolve("first.key"));

            assertThat(curl(dir, server, "first", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("200");
            assertThat(curl(dir, server, "first", "GET", "/api/v1/managed-certificates/other/bundle")).isEqualTo("403");
            assertThat(curl(dir, server, "first", "POST", "/api/v1/managed-certificates/other/renew")).isEqualTo("403");
            assertThat(curl(dir, server, "first", "GET", "/api/v1/managed-certificates/svc")).as("nothing but its bundle and renewal").isEqualTo("403");
            assertThat(curl(dir, server, "first", "GET", "/api/v1/issuers")).isEqualTo("403");
            assertThat(curl(dir, server, null, "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("401");
            assertThat(app.send("POST", "/api/v1/managed-certificates/svc/renew", token, null, null).status())
                    .as("a service token reads, it does not renew").isEqualTo(403);

            // The service renews its own slot with its certificate and picks up the successor with the same one.
            String before = serial(app, admin, "svc");
            Path reloads = dir.resolve("reloads");
            pull(app, dir, "--mtls", "--renew", "--dir", svc.toString(), "--reload", "echo reloaded >> " + reloads).assertSuccess();
            String after = serial(app, admin, "svc");
            assertThat(after).isNotEqualTo(before);
            assertThat(openssl.run("x509", "-in", svc.resolve("cert.pem").toString(), "-noout", "-serial").assertSuccess().output())
                    .containsIgnoringCase(after);
            openssl.run("verify", "-CAfile", "root.pem", "-untrusted", svc.resolve("chain.pem").toString(), svc.resolve("cert.pem").toString())
                    .assertSuccess();
            assertThat(Files.readAllLines(reloads)).hasSize(1);
            assertThat(app.get("/api/v1/audit-log?action=certificate.issued", admin).body()).contains("certificate:svc/" + before.toLowerCase());
            assertThat(app.get("/api/v1/audit-log?action=managed-certificate.bundle-delivered", admin).body()).contains("certificate:svc/");

            // The replaced certificate still fetches the successor (a renewal by the schedule must not lock the service
            // out); once replaced twice it no longer authenticates.
            assertThat(curl(dir, server, "first", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("200");
            assertThat(app.send("POST", "/api/v1/managed-certificates/svc/renew", admin, null, null).status()).isEqualTo(200);
            assertThat(curl(dir, server, "first", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("401");
            pull(app, dir, "--mtls", "--dir", svc.toString()).assertSuccess();
            assertThat(curl(dir, server, "svc/cert", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("200");

            // A certificate we issued that no slot manages, and a self-signed one, stand for nobody.
            String csr = openssl.csr("/CN=loose.test", "subjectAltName=DNS:loose.test");
            String keyFile = Files.list(dir).map(Path::toString).filter(f -> f.endsWith(".key") && f.contains("csr-")).findFirst().orElseThrow();
            Files.copy(Path.of(keyFile), dir.resolve("loose.key"));
            openssl.write("loose.pem", app.postJson("/api/v1/certificates", admin, Map.of("csr", csr, "profile", "tls-server", "owner", "x"))
                    .json().get("certificatePem").asString());
            assertThat(curl(dir, server, "loose", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("401");
            openssl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "self.key",
                    "-out", "self.pem", "-subj", "/CN=svc.test", "-days", "1").assertSuccess();
            assertThat(curl(dir, server, "self", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("401");
            Commands.Result refused = Commands.run(dir, "curl", "-sS", "--cacert", "root.pem", "--cert", "self.pem", "--key", "self.key",
                    server + "/api/v1/managed-certificates/svc/bundle");
            assertThat(refused.output()).contains("not the current, unexpired and unrevoked certificate of a managed certificate");

            // Revoked: refused at once.
            assertThat(app.postJson("/api/v1/managed-certificates/svc/revoke", admin, Map.of("reason", "keyCompromise")).status()).isEqualTo(200);
            assertThat(curl(dir, server, "svc/cert", "GET", "/api/v1/managed-certificates/svc/bundle")).isEqualTo("401");
            assertThat(app.log()).doesNotContain("BEGIN PRIVATE KEY").doesNotContain(token);
        }
    }

    static Commands.Result pull(CertwrightProcess app, Path dir, String... args) {
        List<String> command = new ArrayList<>(List.of("bash", CertwrightProcess.PROJECT.resolve("scripts/certwright-pull.sh").toString(),
                "--server", "https://localhost:" + app.httpsPort(), "--name", "svc", "--cacert", dir.resolve("root.pem").toString()));
        command.addAll(List.of(args));
        return Commands.run(dir, command.toArray(String[]::new));
    }

    /** The HTTP status curl gets, presenting {@code <client>.pem} and its key ({@code .key}, or key.pem beside cert.pem). */
    static String curl(Path dir, String server, String client, String method, String path) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--cacert", "root.pem",
                "-X", method));
        if (client != null) {
            String key = client.endsWith("/cert") ? client.replace("/cert", "/key") : client;
            command.addAll(List.of("--cert", client + ".pem", "--key", key + (key.endsWith("/key") ? ".pem" : ".key")));
        }
        command.add(server + path);
        return Commands.run(dir, command.toArray(String[]::new)).assertSuccess().output().trim();
    }

    static String serial(CertwrightProcess app, String admin, String name) {
        return app.get("/api/v1/managed-certificates/" + name, admin).json().get("serial").asString();
    }
}
