package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Commands;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/**
 * The stock ACME clients people run, from Debian, against our server on loopback: certbot (standalone http-01,
 * renewal, revocation, dns-01 with a wildcard through a manual hook) and lego (http-01, tls-alpn-01, dns-01 through its
 * exec provider). Names resolve through pebble-challtestsrv, which answers 127.0.0.1 for every name. The clients trust
 * our root, never an insecure flag, and openssl checks what they got.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeClientsIT {

    Path work;
    Openssl openssl;
    ChallengeTestServer dns;
    CertwrightProcess app;
    int http01Port;
    int tlsAlpn01Port;
    String directory;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-acme-clients-");
        openssl = new Openssl(work);
        dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
        http01Port = CertwrightProcess.freePort();
        tlsAlpn01Port = CertwrightProcess.freePort();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), TestDatabase.h2())
                .arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.tls-alpn01-port=" + tlsAlpn01Port)
                .arg("--certwright.acme.dns-resolver=" + dns.dnsResolver()));
        openssl.write("root.pem", Openssl.pem(app.root()));
        openssl.write("chain.pem", app.get("/ca/dev-issuing.pem", null).body());
        directory = "https://localhost:" + app.httpsPort() + "/acme/directory";
    }

    @AfterAll
    void stop() {
        try {
            if (app != null) {
                // noSecretReachesTheLog may run first: the whole log, after every client ran, is checked here again.
                noSecretReachesTheLog();
            }
        } finally {
            if (dns != null) {
                dns.close();
            }
            CertwrightProcess.stopAll(app, TestDatabase.h2(), work);
        }
    }

    /** One certificate's life with certbot, in its order: obtained over http-01, renewed, revoked. */
    @Test
    void certbotObtainsOverHttp01RenewsWithForceRenewalAndRevokes() throws Exception {
        certbotObtainsOverHttp01AndOpensslVerifiesTheCertificate();
        certbotRenewsWithForceRenewal();
        certbotRevokesAndOcspSaysSo();
    }

    void certbotObtainsOverHttp01AndOpensslVerifiesTheCertificate() {
        certbot("certonly", "--standalone", "--http-01-port", Integer.toString(http01Port), "--http-01-address", "127.0.0.1",
                "-d", "certbot.test", "--agree-tos", "-m", "ops@example.test").assertSuccess();
        Path cert = work.resolve("certbot/config/live/certbot.test/cert.pem");
        assertThat(openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "chain.pem",
                cert.toString()).output()).contains(": OK");
        var inventory = app.get("/api/v1/certificates?source=ACME&q=certbot.test", app.adminToken()).json();
        assertThat(inventory.get("total").asInt()).isEqualTo(1);
        assertThat(inventory.get("items").get(0).get("owner").asString()).startsWith("acme-account-");
    }

    void certbotRenewsWithForceRenewal() throws Exception {
        String before = Files.readString(work.resolve("certbot/config/live/certbot.test/cert.pem"));
        // Without a terminal certbot sleeps up to 8 minutes before renewing, to spread load; not here.
        Commands.Result renew = certbot("renew", "--force-renewal", "--no-random-sleep-on-renew", "--cert-name", "certbot.test");
        assertThat(renew.output()).as(renew.output()).contains("success");
        assertThat(Files.readString(work.resolve("certbot/config/live/certbot.test/cert.pem"))).isNotEqualTo(before);
    }

    void certbotRevokesAndOcspSaysSo() {
        Path cert = work.resolve("certbot/config/live/certbot.test/cert.pem");
        certbot("revoke", "--cert-name", "certbot.test", "--reason", "keycompromise", "--no-delete-after-revoke").assertSuccess();
        String out = openssl.run("ocsp", "-issuer", "chain.pem", "-cert", cert.toString(), "-url", "http://127.0.0.1:" + app.httpPort() + "/ocsp",
                "-CAfile", "root.pem", "-verify_other", "chain.pem").output();
        assertThat(out).contains("Response verify OK").contains(": revoked").contains("Reason: keyCompromise");
    }

    @Test
    void certbotObtainsAWildcardOverDns01WithAManualHook() throws Exception {
        Path hook = openssl.write("certbot-dns-hook.sh", "#!/bin/sh\ncurl -s -X POST -d \"{\\\"host\\\":\\\"_acme-challenge.$CERTBOT_DOMAIN.\\\","
                + "\\\"value\\\":\\\"$CERTBOT_VALIDATION\\\"}\" " + dns.managementUrl() + "/set-txt\n");
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwx------"));
        certbot("certonly", "--manual", "--preferred-challenges", "dns", "--manual-auth-hook", hook.toString(), "-d", "dns.test",
                "-d", "*.dns.test", "--agree-tos", "-m", "ops@example.test").assertSuccess();
        String text = openssl.run("x509", "-in", work.resolve("certbot/config/live/dns.test/cert.pem").toString(), "-noout", "-text")
                .assertSuccess().output();
        assertThat(text).contains("DNS:dns.test").contains("DNS:*.dns.test");
    }

    @Test
    void legoObtainsOverHttp01() {
        lego(Map.of(), "--domains", "lego-http.test", "--http", "--http.port", "127.0.0.1:" + http01Port).assertSuccess();
        assertVerifies("lego-http.test");
    }

    @Test
    void legoObtainsOverTlsAlpn01() {
        lego(Map.of(), "--domains", "lego-tls.test", "--tls", "--tls.port", "127.0.0.1:" + tlsAlpn01Port).assertSuccess();
        assertVerifies("lego-tls.test");
    }

    @Test
    void legoObtainsOverDns01WithItsExecProvider() throws Exception {
        Path script = openssl.write("lego-exec.sh", "#!/bin/sh\n"
                + "[ \"$1\" = present ] && curl -s -X POST -d \"{\\\"host\\\":\\\"$2\\\",\\\"value\\\":\\\"$3\\\"}\" " + dns.managementUrl() + "/set-txt\n"
                + "[ \"$1\" = cleanup ] && curl -s -X POST -d \"{\\\"host\\\":\\\"$2\\\"}\" " + dns.managementUrl() + "/clear-txt\n"
                + "exit 0\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        lego(Map.of("EXEC_PATH", script.toString(), "EXEC_PROPAGATION_TIMEOUT", "30", "EXEC_POLLING_INTERVAL", "1"),
                "--domains", "lego-dns.test", "--dns", "exec", "--dns.resolvers", dns.dnsResolver(), "--dns.disable-cp").assertSuccess();
        assertVerifies("lego-dns.test");
    }

    @Test
    void noSecretReachesTheLog() {
        assertThat(app.log()).doesNotContain(app.adminToken()).doesNotContain("PRIVATE KEY");
    }

    // --- helpers ---

    void assertVerifies(String domain) {
        Path cert = work.resolve("lego/certificates/" + domain + ".crt");
        assertThat(openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", cert.toString(),
                cert.toString()).output()).contains(": OK");
    }

    Commands.Result certbot(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "REQUESTS_CA_BUNDLE=" + work.resolve("root.pem"), "certbot"));
        command.addAll(List.of(args));
        command.addAll(List.of("--server", directory, "--non-interactive", "--config-dir", work.resolve("certbot/config").toString(),
                "--work-dir", work.resolve("certbot/work").toString(), "--logs-dir", work.resolve("certbot/logs").toString()));
        return Commands.run(work, command.toArray(String[]::new));
    }

    Commands.Result lego(Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>(List.of("env", "LEGO_CA_CERTIFICATES=" + work.resolve("root.pem")));
        environment.forEach((k, v) -> command.add(k + "=" + v));
        command.addAll(List.of("lego", "--server", directory, "--email", "ops@example.test", "--accept-tos", "--path", work.resolve("lego").toString()));
        command.addAll(List.of(args));
        command.add("run");
        return Commands.run(work, command.toArray(String[]::new));
    }
}
