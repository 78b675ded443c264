package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.shredzone.acme4j.Certificate;

import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Issuer rollover on H2, beyond the central flow: a root rolled over with a cross-certificate (openssl verifies a new
 * leaf through the cross path to the old root, and ACME serves that path as the alternate chain, RFC 8555 §7.4.2),
 * certbot renewing across dev-issuing's switch onto its successor, a node killed right after a rollover that finishes
 * it when started again, and the refusals, hostile bodies included, as problem documents that change nothing.
 */
class H2RolloverIT extends RolloverEndToEnd {

    ChallengeTestServer dns;
    int http01Port;

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    CertwrightProcess.Options withPeers(CertwrightProcess.Options options) throws Exception {
        dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
        http01Port = CertwrightProcess.freePort();
        return options.arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.dns-resolver=" + dns.dnsResolver());
    }

    @AfterAll
    void stopPeers() {
        if (dns != null) {
            dns.close();
        }
    }

    // --- a root, with a cross-certificate ---

    @Test
    void aRootRolledOverWithACrossCertificateChainsNewLeavesToTheOldRootToo() throws Exception {
        X509Certificate oldRoot = certificate("xroot");
        X509Certificate oldIssuing = certificate("xroot-issuing");
        Issued before = issue("xroot-before", "xroot-server", null);

        Response rolled = rollover("xroot", Map.of("crossSign", true));
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        assertThat(rolled.json().get("name").asString()).isEqualTo("xroot-g2");
        assertThat(rolled.json().get("state").asString()).isEqualTo("ACTIVE");
        assertThat(rolled.json().get("parent").isNull()).isTrue();
        X509Certificate newRoot = Openssl.parse(rolled.json().get("certificatePem").asString());
        X509Certificate cross = Openssl.parse(rolled.json().get("crossCertificatePem").asString());
        newRoot.verify(newRoot.getPublicKey());
        // RFC 5280 §3.2: the old root certifies the new root's key, under the same subject.
        assertThat(cross.getSubjectX500Principal()).isEqualTo(newRoot.getSubjectX500Principal()).isEqualTo(oldRoot.getSubjectX500Principal());
        assertThat(cross.getPublicKey()).isEqualTo(newRoot.getPublicKey());
        assertThat(aki(cross)).isEqualTo(ski(oldRoot));
        assertThat(cross.getNotAfter()).isBeforeOrEqualTo(oldRoot.getNotAfter());
        assertThat(issuer("xroot").get("state").asString()).isEqualTo("RETIRING");
        // The intermediate keeps its certificate under the old root until it is rolled over in turn, under the new root.
        assertThat(issue("xroot-between", "xroot-server", null).issuer()).isEqualTo("xroot-issuing");
        Response issuingRolled = rollover("xroot-issuing", Map.of());
        assertThat(issuingRolled.status()).as(issuingRolled.toString()).isEqualTo(201);
        assertThat(issuingRolled.json().get("parent").asString()).isEqualTo("xroot-g2");
        X509Certificate newIssuing = Openssl.parse(issuingRolled.json().get("certificatePem").asString());
        assertThat(aki(newIssuing)).isEqualTo(ski(newRoot));
        Issued after = issue("xroot-after", "xroot-server", null);
        assertThat(after.issuer()).isEqualTo("xroot-issuing-g2");

        Path oldRootPem = openssl.write("xroot.pem", Openssl.pem(oldRoot));
        Path newRootPem = openssl.write("xroot-g2.pem", Openssl.pem(newRoot));
        Path oldIssuingPem = openssl.write("xroot-issuing.pem", Openssl.pem(oldIssuing));
        Path newIssuingPem = openssl.write("xroot-issuing-g2.pem", Openssl.pem(newIssuing));
        Path crossPath = openssl.write("xroot-cross-path.pem", Openssl.pem(newIssuing) + Openssl.pem(cross));
        assertThat(verifyWith(oldRootPem, oldIssuingPem, before.file()).output()).contains(": OK");
        assertThat(verifyWith(newRootPem, newIssuingPem, after.file()).output()).contains(": OK");
        assertThat(verifyWith(oldRootPem, crossPath, after.file()).output()).as("through the cross-certificate to the old root").contains(": OK");
        assertThat(verifyWith(oldRootPem, newIssuingPem, after.file()).exitCode()).as("not without it").isNotZero();
        // The old root keeps its CRL for the intermediate and the cross-certificate it signed.
        assertThat(app.plain("GET", "/crl/xroot.crl", null, null).status()).isEqualTo(200);

        // ACME: the certificate URL serves the chain to the new root, and links the one through the cross-certificate.
        Http01Orders.order(app, app.root(), http01Port, "xroot-acme.test", "xroot-server", certificate -> {
            assertThat(certificate.getCertificateChain()).containsExactly(certificate.getCertificate(), newIssuing);
            assertThat(certificate.getAlternates()).hasSize(1);
            assertThat(certificate.getAlternates().get(0).toString()).endsWith("/alternate/1");
            Certificate alternate = certificate.getAlternateCertificates().get(0);
            assertThat(alternate.getCertificateChain()).containsExactly(certificate.getCertificate(), newIssuing, cross);
            Path leaf = openssl.write("xroot-acme.pem", Openssl.pem(certificate.getCertificate()));
            Path alternatePath = openssl.write("xroot-acme-alternate.pem", Openssl.pem(newIssuing) + Openssl.pem(cross));
            assertThat(verifyWith(oldRootPem, alternatePath, leaf).output()).contains(": OK");
            assertThat(verifyWith(newRootPem, newIssuingPem, leaf).output()).contains(": OK");
        });
    }

    // --- certbot across a switch ---

    @Test
    void certbotRenewsAcrossTheSwitchOntoTheSuccessor() throws Exception {
        X509Certificate first = certificate("dev-issuing");
        Path cert = work.resolve("certbot/config/live/rollover-certbot.test/cert.pem");
        Path chain = work.resolve("certbot/config/live/rollover-certbot.test/chain.pem");
        certbot("certonly", "--standalone", "--http-01-port", Integer.toString(http01Port), "--http-01-address", "127.0.0.1",
                "-d", "rollover-certbot.test", "--agree-tos", "-m", "ops@example.test").assertSuccess();
        assertThat(aki(Openssl.parse(Files.readString(cert)))).isEqualTo(ski(first));

        Instant switchAt = Instant.now().plus(Duration.ofSeconds(8)).truncatedTo(ChronoUnit.SECONDS);
        Response rolled = rollover("dev-issuing", Map.of("switchAt", switchAt.toString()));
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        X509Certificate second = Openssl.parse(rolled.json().get("certificatePem").asString());
        awaitState("dev-issuing-g2", "ACTIVE", Duration.ofSeconds(40));

        // Without a terminal certbot sleeps up to 8 minutes before renewing; not here.
        Commands.Result renew = certbot("renew", "--force-renewal", "--no-random-sleep-on-renew", "--cert-name", "rollover-certbot.test");
        assertThat(renew.output()).as(renew.output()).contains("success");
        X509Certificate renewed = Openssl.parse(Files.readString(cert));
        assertThat(aki(renewed)).isEqualTo(ski(second));
        assertThat(Openssl.parse(Files.readString(chain))).isEqualTo(second);
        assertThat(openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", chain.toString(),
                cert.toString()).output()).contains(": OK");
        assertThat(issuerOfSerial(renewed.getSerialNumber().toString(16))).isEqualTo("dev-issuing-g2");
    }

    // --- a node killed mid-rollover ---

    @Test
    void aNodeKilledRightAfterARolloverFinishesItWhenStartedAgain() throws Exception {
        Instant switchAt = Instant.now().plus(Duration.ofSeconds(30)).truncatedTo(ChronoUnit.SECONDS);
        Response rolled = rollover("crash-issuing", Map.of("switchAt", switchAt.toString()));
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        X509Certificate second = Openssl.parse(rolled.json().get("certificatePem").asString());
        app.kill();

        app = CertwrightProcess.start(options);
        JsonNode successor = issuer("crash-issuing-g2");
        assertThat(successor.get("state").asString()).isEqualTo(Instant.now().isBefore(switchAt) ? "STANDBY" : "ACTIVE");
        assertThat(successor.get("predecessor").asString()).isEqualTo("crash-issuing");
        assertThat(Instant.parse(successor.get("switchAt").asString())).isEqualTo(switchAt);
        assertThat(Openssl.parse(successor.get("certificatePem").asString())).isEqualTo(second);
        assertThat(issuer("crash-issuing").get("successor").asString()).isEqualTo("crash-issuing-g2");
        assertThat(names(app.get("/api/v1/issuers", admin).json()).stream().filter(n -> n.startsWith("crash-issuing"))).hasSize(2);
        assertThat(audit("ca.issuer.rolled-over", "crash-issuing-g2")).hasSize(1);
        // The keystore copy in the data directory holds the new key's entry.
        // The entries to a file: openssl writes them to stdout and its -info lines to stderr, and the two interleaved in
        // one stream split a name ("crash-i" … "ssuing-g2", seen in CI).
        Path listing = openssl.work().resolve("crash-keystore-entries.txt");
        openssl.run("pkcs12", "-in", app.dataDir().resolve("ca/ca-keystore.p12").toString(), "-nokeys", "-info",
                "-passin", "file:" + app.dataDir().resolve("ca/passphrase"), "-out", listing.toString()).assertSuccess();
        String entries = java.nio.file.Files.readString(listing);
        assertThat(entries).contains("crash-issuing-g2");

        // The switch still happens, and the successor's key signs.
        awaitState("crash-issuing-g2", "ACTIVE", Duration.ofSeconds(60));
        Issued after = issue("crash-after", "crash-server", null);
        assertThat(after.issuer()).isEqualTo("crash-issuing-g2");
        assertThat(aki(after.certificate())).isEqualTo(ski(second));
        Path secondPem = openssl.write("crash-issuing-g2.pem", Openssl.pem(second));
        assertThat(verify(secondPem, after.file()).output()).contains(": OK");
    }

    // --- refusals ---

    @Test
    void refusalsAreProblemDocumentsAndChangeNothing() {
        assertProblem(rollover("no-such-issuer", Map.of()), 404);
        // A switch time more than a minute back, or more than a year ahead.
        Instant now = Instant.now();
        for (Instant at : List.of(now.minus(Duration.ofMinutes(5)), now.plus(Duration.ofDays(400)), Instant.parse("2000-01-01T00:00:00Z"))) {
            assertProblem(rollover("refuse-root", Map.of("switchAt", at.toString())), 422);
        }
        // Cross-signing is for roots.
        assertProblem(rollover("refuse-child", Map.of("crossSign", true)), 422);
        // Hostile and mistyped bodies.
        for (String body : List.of("[]", "{", "\"switchAt\"", "{\"switchAt\":\"tomorrow\"}", "{\"switchAt\":true}", "{\"switchAt\":{}}",
                "{\"switchAt\":[1,2]}", "{\"crossSign\":\"maybe\"}", "{\"crossSign\":{}}", "{\"unknown\":1}", "{\"switchAt\":1e400}",
                "{\"switchAt\":-9223372036854775808}", "{\"switchAt\":\"+1000000000-01-01T00:00:00Z\"}", "{\"switchAt\":\"2026-02-30T00:00:00Z\"}",
                "{\"switchAt\":" + "[".repeat(2000) + "]".repeat(2000) + "}", "{\"switchAt\":\"" + "9".repeat(5000) + "\"}")) {
            Response answer = app.send("POST", "/api/v1/issuers/refuse-root/rollover", admin, "application/json", body);
            assertThat(answer.status()).as(body.length() > 80 ? body.substring(0, 80) : body).isBetween(400, 422);
            assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
        }
        Response plainText = app.send("POST", "/api/v1/issuers/refuse-root/rollover", admin, "text/plain", "switchAt=now");
        assertThat(plainText.status()).isEqualTo(415);
        assertThat(plainText.contentType()).startsWith("application/problem+json");
        for (String issuer : List.of("refuse-root", "refuse-child")) {
            assertThat(issuer(issuer).get("successor").isNull()).as(issuer + " has no successor").isTrue();
        }
        assertThat(names(app.get("/api/v1/issuers", admin).json())).noneMatch(n -> n.startsWith("refuse-") && n.matches(".*-g[0-9]+"));

        // A pending rollover refuses another, by either name.
        Response pending = rollover("refuse-issuing", Map.of("switchAt", Instant.now().plus(Duration.ofHours(1)).toString()));
        assertThat(pending.status()).as(pending.toString()).isEqualTo(201);
        for (String name : List.of("refuse-issuing", "refuse-issuing-g2")) {
            Response again = rollover(name, Map.of());
            assertProblem(again, 409);
            assertThat(again.json().get("detail").asString()).contains("pending");
        }
        // The configured name names the issuer, whichever generation is current; a later generation's own name only while
        // it is the current one.
        Response second = rollover("peer-issuing", Map.of());
        assertThat(second.status()).as(second.toString()).isEqualTo(201);
        // A certificate from the second generation keeps it retiring after the third takes over (with nothing signed, it
        // would retire at once).
        assertThat(issue("peer-second", "peer-server", null).issuer()).isEqualTo("peer-issuing-g2");
        Response third = rollover("peer-issuing", Map.of());
        assertThat(third.status()).as(third.toString()).isEqualTo(201);
        assertThat(third.json().get("name").asString()).isEqualTo("peer-issuing-g3");
        assertThat(third.json().get("predecessor").asString()).isEqualTo("peer-issuing-g2");
        Response older = rollover("peer-issuing-g2", Map.of());
        assertProblem(older, 409);
        assertThat(older.json().get("detail").asString()).contains("not the current generation").contains("peer-issuing-g3");
        assertThat(issuer("peer-issuing-g2").get("state").asString()).isEqualTo("RETIRING");
        Response fourth = rollover("peer-issuing-g3", Map.of());
        assertThat(fourth.status()).as(fourth.toString()).isEqualTo(201);
        assertThat(fourth.json().get("generation").asInt()).isEqualTo(4);
    }

    // --- helpers ---

    Commands.Result verifyWith(Path trusted, Path untrusted, Path leaf) {
        return openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", trusted.toString(), "-untrusted", untrusted.toString(),
                leaf.toString());
    }

    Commands.Result certbot(String... args) {
        List<String> command = new ArrayList<>(List.of("env", "REQUESTS_CA_BUNDLE=" + work.resolve("root.pem"), "certbot"));
        command.addAll(List.of(args));
        command.addAll(List.of("--server", "https://localhost:" + app.httpsPort() + "/acme/directory", "--non-interactive", "--config-dir",
                work.resolve("certbot/config").toString(), "--work-dir", work.resolve("certbot/work").toString(), "--logs-dir",
                work.resolve("certbot/logs").toString()));
        return Commands.run(work, command.toArray(String[]::new));
    }
}
