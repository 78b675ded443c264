package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeServerException;


import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.Http01Responder;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * External account binding (RFC 8555 §7.3.4) on a server that requires it: an admin creates a key; acme4j binds an
 * account with it; the account's certificates belong to the key's owner, and its orders stay within the key's names and
 * profiles. A key binds once, and a revoked key stops its account.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeExternalAccountIT {

    Path work;
    ChallengeTestServer dns;
    CertwrightProcess app;
    Http01Responder http01;
    SSLContext previousDefault;
    String directory;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-eab-");
        dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
        int http01Port = CertwrightProcess.freePort();
        http01 = Http01Responder.start(http01Port);
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), TestDatabase.h2())
                .arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.dns-resolver=" + dns.dnsResolver())
                .arg("--certwright.acme.external-account-required=true"));
        directory = "https://localhost:" + app.httpsPort() + "/acme/directory";
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(CertwrightProcess.trustingRoot(app.root()));
    }

    @AfterAll
    void stop() {
        if (previousDefault != null) {
            SSLContext.setDefault(previousDefault);
        }
        if (http01 != null) {
            http01.close();
        }
        if (dns != null) {
            dns.close();
        }
        CertwrightProcess.stopAll(app, TestDatabase.h2(), work);
    }

    @Test
    void anAccountNeedsABindingAndThenOrdersWithinItsKeysLimits() throws Exception {
        Session session = new Session(URI.create(directory));
        assertThat(session.getMetadata().isExternalAccountRequired()).isTrue();
        assertThatThrownBy(() -> new AccountBuilder().agreeToTermsOfService().useKeyPair(AcmeProtocolIT.ecKeyPair()).createLogin(session))
                .isInstanceOf(AcmeServerException.class).satisfies(e -> AcmeProtocolIT.assertType(e, "externalAccountRequired"));

        Response created = app.postJson("/api/v1/acme/eab-keys", app.adminToken(), Map.of("owner", "team-payments",
                "dnsNames", List.of("*.pay.test"), "profiles", List.of("tls-server")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String kid = created.json().get("kid").asString();
        String hmac = created.json().get("hmacKey").asString();
        JsonNode listed = app.get("/api/v1/acme/eab-keys", app.adminToken()).json();
        assertThat(listed.toString()).contains(kid).doesNotContain(hmac);

        KeyPair accountKey = AcmeProtocolIT.ecKeyPair();
        Login login = new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(kid, hmac).useKeyPair(accountKey).createLogin(session);
        assertThat(login.getAccount().hasExternalAccountBinding()).isTrue();

        // Within the key's names and profile: issued, and owned by the key's owner.
        var order = login.newOrder().domain("shop.pay.test").create();
        for (var authorization : order.getAuthorizations()) {
            Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
            http01.serve(challenge.getToken(), challenge.getAuthorization());
            challenge.trigger();
            assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        }
        order.waitUntilReady(Duration.ofSeconds(30));
        order.execute(AcmeProtocolIT.ecKeyPair());
        assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        X509Certificate certificate = order.getCertificate().getCertificate();
        JsonNode stored = app.get("/api/v1/certificates/" + certificate.getSerialNumber().toString(16), app.adminToken()).json();
        assertThat(stored.get("owner").asString()).isEqualTo("team-payments");
        assertThat(stored.get("source").asString()).isEqualTo("ACME");

        // Outside them: refused.
        assertThatThrownBy(() -> login.newOrder().domain("shop.other.test").create()).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> AcmeProtocolIT.assertType(e, "rejectedIdentifier"));
        assertThatThrownBy(() -> login.newOrder().domain("x.pay.test").profile("short-lived").create()).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> AcmeProtocolIT.assertType(e, "unauthorized"));

        // A key binds one account only; a wrong MAC binds none.
        assertThatThrownBy(() -> new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(kid, hmac).useKeyPair(AcmeProtocolIT.ecKeyPair())
                .createLogin(session)).isInstanceOf(AcmeServerException.class).satisfies(e -> AcmeProtocolIT.assertType(e, "unauthorized"));
        String other = app.postJson("/api/v1/acme/eab-keys", app.adminToken(), Map.of("owner", "team-x")).json().get("kid").asString();
        assertThatThrownBy(() -> new AccountBuilder().agreeToTermsOfService().withKeyIdentifier(other,
                java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[32])).useKeyPair(AcmeProtocolIT.ecKeyPair())
                .createLogin(session)).isInstanceOf(AcmeServerException.class).satisfies(e -> AcmeProtocolIT.assertType(e, "unauthorized"));

        // Revoking the key stops its account.
        assertThat(app.send("DELETE", "/api/v1/acme/eab-keys/" + kid, app.adminToken(), null, null).status()).isEqualTo(204);
        assertThatThrownBy(() -> login.newOrder().domain("late.pay.test").create()).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> AcmeProtocolIT.assertType(e, "unauthorized"));
        assertThat(app.send("DELETE", "/api/v1/acme/eab-keys/" + kid, app.adminToken(), null, null).status()).isEqualTo(404);
        assertThat(app.postJson("/api/v1/acme/eab-keys", app.adminToken(), Map.of("owner", "x", "profiles", List.of("nope"))).status())
                .isEqualTo(422);
        assertThat(app.log()).doesNotContain(hmac);
    }
}
