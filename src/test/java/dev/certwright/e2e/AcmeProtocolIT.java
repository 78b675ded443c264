package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.net.ssl.SSLContext;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.shredzone.acme4j.Account;
import org.shredzone.acme4j.AccountBuilder;
import org.shredzone.acme4j.Authorization;
import org.shredzone.acme4j.Certificate;
import org.shredzone.acme4j.Login;
import org.shredzone.acme4j.RevocationReason;
import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.Status;
import org.shredzone.acme4j.challenge.Dns01Challenge;
import org.shredzone.acme4j.challenge.Http01Challenge;
import org.shredzone.acme4j.exception.AcmeServerException;
import org.shredzone.acme4j.util.CSRBuilder;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.Http01Responder;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Json;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The ACME protocol on PostgreSQL, with acme4j as the client for the flows (http-01 and dns-01, profiles, key
 * rollover, deactivation, revocation by account and by certificate key) and hand-made JWS (Nimbus) for what a good
 * client never sends: a replayed nonce, a wrong url, an unknown account, an HMAC signature. Every refusal has its RFC
 * 8555 error type.
 *
 * <p>One server for the class; each test makes its own orders with names no other test uses (the per-name order limit
 * is 3 here), and a test that changes an account (contact, key, deactivation) makes that account itself, so that the
 * tests run in any order and alone (decision 63). The account made in {@link #start()} only orders.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AcmeProtocolIT {

    Path work;
    Openssl openssl;
    TestDatabase database;
    ChallengeTestServer dns;
    CertwrightProcess app;
    Http01Responder http01;
    int tlsAlpn01Port;
    String directory;
    SSLContext previousDefault;
    HttpClient client;
    KeyPair accountKey;
    Login login;

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-acme-");
        openssl = new Openssl(work);
        database = TestDatabase.postgres();
        dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
        int http01Port = CertwrightProcess.freePort();
        tlsAlpn01Port = CertwrightProcess.freePort();
        http01 = Http01Responder.start(http01Port);
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database)
                .arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.dns-resolver=" + dns.dnsResolver())
                .arg("--certwright.acme.tls-alpn01-port=" + tlsAlpn01Port).arg("--certwright.acme.validation-attempts=2").arg("--certwright.acme.orders-per-identifier=3")
                .arg("--certwright.acme.requeue-interval=PT2S"));
        openssl.write("root.pem", Openssl.pem(app.root()));
        openssl.write("chain.pem", app.get("/ca/dev-issuing.pem", null).body());
        directory = "https://localhost:" + app.httpsPort() + "/acme/directory";
        // acme4j uses the JVM's default TLS context: make it trust our root, and nothing else, for this class.
        previousDefault = SSLContext.getDefault();
        SSLContext.setDefault(CertwrightProcess.trustingRoot(app.root()));
        client = HttpClient.newBuilder().sslContext(CertwrightProcess.trustingRoot(app.root())).build();
        accountKey = ecKeyPair();
        login = new AccountBuilder().agreeToTermsOfService().addEmail("ops@example.test").useKeyPair(accountKey).createLogin(session());
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
        CertwrightProcess.stopAll(app, database, work);
    }

    // --- flows, with acme4j ---

    @Test
    void theDirectoryOffersEveryResourceAndTheAcmeProfiles() throws Exception {
        JsonNode directoryJson = Json.parse(client.send(HttpRequest.newBuilder(URI.create(directory)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (String resource : List.of("newNonce", "newAccount", "newOrder", "revokeCert", "keyChange")) {
            assertThat(directoryJson.get(resource).asString()).startsWith("https://localhost:" + app.httpsPort() + "/acme/");
        }
        assertThat(directoryJson.get("meta").get("profiles").has("tls-server")).isTrue();
        assertThat(directoryJson.get("meta").get("profiles").has("short-lived")).isTrue();
        assertThat(directoryJson.get("meta").get("externalAccountRequired").asBoolean()).isFalse();
    }

    @Test
    void anAccountIsFoundAgainByItsKeyAndItsContactCanChange() throws Exception {
        KeyPair key = ecKeyPair();
        Login mine = new AccountBuilder().agreeToTermsOfService().addEmail("ops@example.test").useKeyPair(key).createLogin(session());
        Login again = new AccountBuilder().onlyExisting().useKeyPair(key).createLogin(session());
        assertThat(again.getAccountLocation()).isEqualTo(mine.getAccountLocation());
        Account account = mine.getAccount();
        account.modify().addEmail("second@example.test").commit();
        assertThat(account.getContacts()).extracting(URI::toString).contains("mailto:ops@example.test", "mailto:second@example.test");
        assertThatThrownBy(() -> new AccountBuilder().onlyExisting().useKeyPair(ecKeyPair()).createLogin(session()))
                .isInstanceOf(AcmeServerException.class).satisfies(e -> assertType(e, "accountDoesNotExist"));
        // Issue 19: account creation and contact changes are audited, with the account as the actor.
        assertThat(auditActions(mine.getAccountLocation())).containsExactly("acme.account.created", "acme.account.contact-updated");
    }

    @Test
    void anOrderIsValidatedOverHttp01AndIssuedThroughTheInventory() throws Exception {
        X509Certificate certificate = obtain(login, "http", "acme4j-http.test");
        openssl.write("acme4j-http.pem", Openssl.pem(certificate));
        assertThat(openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", "chain.pem",
                "acme4j-http.pem").output()).contains(": OK");
        JsonNode inventory = app.get("/api/v1/certificates/" + certificate.getSerialNumber().toString(16), app.adminToken()).json();
        assertThat(inventory.get("source").asString()).isEqualTo("ACME");
        assertThat(inventory.get("owner").asString()).isEqualTo("acme-account-" + login.getAccountLocation().toString()
                .substring(login.getAccountLocation().toString().lastIndexOf('/') + 1));
    }

    @Test
    void anOrderIsValidatedOverDns01() throws Exception {
        X509Certificate certificate = obtain(login, "dns", "acme4j-dns.test");
        assertThat(certificate.getSubjectAlternativeNames().stream().map(n -> n.get(1).toString())).containsExactly("acme4j-dns.test");
    }

    @Test
    void theProfileOfAnOrderDecidesTheCertificate() throws Exception {
        var order = login.newOrder().domain("short.test").profile("short-lived").create();
        assertThat(order.getProfile()).isEqualTo("short-lived");
        solve(order.getAuthorizations(), "http");
        order.waitUntilReady(Duration.ofSeconds(30));
        order.execute(ecKeyPair());
        order.waitForCompletion(Duration.ofSeconds(30));
        X509Certificate certificate = order.getCertificate().getCertificate();
        assertThat(Duration.between(certificate.getNotBefore().toInstant(), certificate.getNotAfter().toInstant()))
                .isLessThanOrEqualTo(Duration.ofHours(24).plusMinutes(1));
        // acme4j refuses a profile the directory does not offer; the server refuses it too.
        assertThatThrownBy(() -> login.newOrder().domain("x.test").profile("no-such-profile").create())
                .isInstanceOf(org.shredzone.acme4j.exception.AcmeNotSupportedException.class);
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        HttpResponse<String> account = post(base() + "/new-account", sign(key, newNonce(), base() + "/new-account", true,
                "{\"termsOfServiceAgreed\":true}"));
        String kid = account.headers().firstValue("Location").orElseThrow();
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(kid).customParam("nonce", newNonce())
                .customParam("url", base() + "/new-order").build();
        JWSObject jws = new JWSObject(header, new Payload("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}],"
                + "\"profile\":\"no-such-profile\"}"));
        jws.sign(new ECDSASigner(key));
        assertProblem(post(base() + "/new-order", flattened(jws)), 400, "malformed");
    }

    @Test
    void revocationByTheAccountAndByTheCertificateKeyReachesOcsp() throws Exception {
        X509Certificate byAccount = obtain(login, "http", "revoke-account.test");
        Certificate.revoke(login, byAccount, RevocationReason.KEY_COMPROMISE);
        assertThat(ocsp(byAccount)).contains(": revoked").contains("Reason: keyCompromise");
        assertThatThrownBy(() -> Certificate.revoke(login, byAccount, RevocationReason.KEY_COMPROMISE))
                .isInstanceOf(AcmeServerException.class).satisfies(e -> assertType(e, "alreadyRevoked"));

        KeyPair domainKey = ecKeyPair();
        X509Certificate byKey = obtain(login, "http", "revoke-key.test", domainKey);
        Certificate.revoke(session(), domainKey, byKey, RevocationReason.SUPERSEDED);
        assertThat(ocsp(byKey)).contains(": revoked").contains("Reason: superseded");

        // Another account may not revoke it.
        X509Certificate mine = obtain(login, "http", "not-yours.test");
        Login stranger = new AccountBuilder().agreeToTermsOfService().useKeyPair(ecKeyPair()).createLogin(session());
        assertThatThrownBy(() -> Certificate.revoke(stranger, mine, RevocationReason.UNSPECIFIED))
                .isInstanceOf(AcmeServerException.class).satisfies(e -> assertType(e, "unauthorized"));
        assertThat(ocsp(mine)).contains(": good");
    }

    @Test
    void aKeyRolloverMovesTheAccountToTheNewKey() throws Exception {
        KeyPair oldKey = ecKeyPair();
        Login rolling = new AccountBuilder().agreeToTermsOfService().useKeyPair(oldKey).createLogin(session());
        KeyPair newKey = ecKeyPair();
        rolling.getAccount().changeKey(newKey);
        Login withNewKey = new AccountBuilder().onlyExisting().useKeyPair(newKey).createLogin(session());
        assertThat(withNewKey.getAccountLocation()).isEqualTo(rolling.getAccountLocation());
        assertThatThrownBy(() -> new AccountBuilder().onlyExisting().useKeyPair(oldKey).createLogin(session()))
                .isInstanceOf(AcmeServerException.class).satisfies(e -> assertType(e, "accountDoesNotExist"));
        assertThat(obtain(withNewKey, "http", "rolled.test")).isNotNull();
        assertThat(auditActions(rolling.getAccountLocation())).containsExactly("acme.account.created", "acme.account.key-changed");
    }

    @Test
    void aDeactivatedAccountCanNoLongerAct() throws Exception {
        Login leaving = new AccountBuilder().agreeToTermsOfService().useKeyPair(ecKeyPair()).createLogin(session());
        leaving.getAccount().deactivate();
        assertThat(leaving.getAccount().getStatus()).isEqualTo(Status.DEACTIVATED);
        assertThatThrownBy(() -> leaving.newOrder().domain("gone.test").create()).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> assertType(e, "unauthorized"));
        assertThat(auditActions(leaving.getAccountLocation())).containsExactly("acme.account.created", "acme.account.deactivated");
    }

    /** The audit log's actions about one ACME account, oldest first. */
    List<String> auditActions(java.net.URL accountLocation) {
        String path = accountLocation.getPath();
        String id = path.substring(path.lastIndexOf('/') + 1);
        List<String> actions = new java.util.ArrayList<>();
        JsonNode entries = app.get("/api/v1/audit-log?subjectType=acme-account&subjectId=" + id, app.adminToken()).json();
        entries.forEach(e -> {
            assertThat(e.get("actor").asString()).isEqualTo("acme-account:" + id);
            actions.add(0, e.get("action").asString());
        });
        return actions;
    }

    @Test
    void renewalInfoSuggestsAWindowAnIncidentMovesItIntoThePastAndReplacesLinksTheSuccessor() throws Exception {
        X509Certificate first = obtain(login, "http", "ari.test");
        var info = login.bindRenewalInfo(first);
        info.fetch();
        assertThat(info.getSuggestedWindowStart()).isAfter(first.getNotBefore().toInstant()).isBefore(first.getNotAfter().toInstant());
        assertThat(info.getSuggestedWindowEnd()).isAfter(info.getSuggestedWindowStart()).isBefore(first.getNotAfter().toInstant());
        assertThat(info.renewalIsRecommended(java.time.Instant.now())).isFalse();

        // An incident: the operator advances renewal for this serial; ARI now says the window has passed.
        var advanced = app.postJson("/api/v1/acme/renewal-info/advance", app.adminToken(), Map.of("serials",
                List.of(first.getSerialNumber().toString(16))));
        assertThat(advanced.status()).as(advanced.toString()).isEqualTo(200);
        assertThat(advanced.json().get("advanced").asInt()).isEqualTo(1);
        var urgent = login.bindRenewalInfo(first);
        urgent.fetch();
        assertThat(urgent.getSuggestedWindowEnd()).isBeforeOrEqualTo(java.time.Instant.now());
        assertThat(urgent.renewalIsOverdue(java.time.Instant.now())).isTrue();
        assertThat(app.postJson("/api/v1/acme/renewal-info/advance", app.adminToken(), Map.of()).status()).isEqualTo(400);

        // The replacement names its predecessor (RFC 9773 §5); the inventory links them; a second replacement is refused.
        var order = login.newOrder().domain("ari.test").replaces(first).create();
        solve(order.getAuthorizations(), "http");
        order.waitUntilReady(Duration.ofSeconds(30));
        order.execute(ecKeyPair());
        order.waitForCompletion(Duration.ofSeconds(30));
        X509Certificate second = order.getCertificate().getCertificate();
        JsonNode successor = app.get("/api/v1/certificates/" + second.getSerialNumber().toString(16), app.adminToken()).json();
        assertThat(new java.math.BigInteger(successor.get("predecessorSerial").asString(), 16)).isEqualTo(first.getSerialNumber());
        assertThatThrownBy(() -> login.newOrder().domain("ari.test").replaces(first).create()).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> assertType(e, "alreadyReplaced"));
    }

    @Test
    void anOrderIsValidatedOverTlsAlpn01() throws Exception {
        var order = login.newOrder().domain("alpn.test").create();
        Authorization authorization = order.getAuthorizations().get(0);
        var challenge = authorization.findChallenge(org.shredzone.acme4j.challenge.TlsAlpn01Challenge.class).orElseThrow();
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        KeyPair validationKey = rsa.generateKeyPair(); // acme4j signs its validation certificate with SHA256withRSA
        X509Certificate validation = challenge.createCertificate(validationKey, authorization.getIdentifier());
        java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("validation", validationKey.getPrivate(), "x".toCharArray(), new java.security.cert.Certificate[] {validation});
        javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, "x".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), null, null);
        // RFC 8737 §3: a TLS server on the validation port that speaks only acme-tls/1 and presents the validation certificate.
        try (javax.net.ssl.SSLServerSocket server = (javax.net.ssl.SSLServerSocket) tls.getServerSocketFactory()
                .createServerSocket(tlsAlpn01Port, 5, java.net.InetAddress.getByName("127.0.0.1"))) {
            javax.net.ssl.SSLParameters parameters = server.getSSLParameters();
            parameters.setApplicationProtocols(new String[] {"acme-tls/1"});
            server.setSSLParameters(parameters);
            Thread acceptor = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 3 && !server.isClosed(); i++) {
                    try (javax.net.ssl.SSLSocket socket = (javax.net.ssl.SSLSocket) server.accept()) {
                        socket.startHandshake();
                    } catch (java.io.IOException e) {
                        // the validator closes after the handshake, or the test closed the server
                    }
                }
            });
            challenge.trigger();
            assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
            acceptor.interrupt();
        }
        order.waitUntilReady(Duration.ofSeconds(30));
        order.execute(ecKeyPair());
        assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
    }

    @Test
    void aValidationLeftUnfinishedByAStoppedNodeIsTakenUpAgain() throws Exception {
        var order = login.newOrder().domain("orphan.test").create();
        Authorization authorization = order.getAuthorizations().get(0);
        Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
        http01.serve(challenge.getToken(), challenge.getAuthorization());
        // As a node that stopped mid-validation leaves it: processing, started long ago, nobody validating.
        String id = challenge.getLocation().toString().substring(challenge.getLocation().toString().lastIndexOf('/') + 1);
        try (var db = database.connect(); var statement = db.prepareStatement(
                "UPDATE acme_challenge SET status = 'processing', started_at = now() - interval '1 hour' WHERE id = ?")) {
            statement.setLong(1, Long.parseLong(id));
            assertThat(statement.executeUpdate()).isEqualTo(1);
        }
        assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        assertThat(app.log()).contains("taking up validation of challenge " + id);
    }

    // --- refusals ---

    @Test
    void aNameOutsideThePolicyIsARejectedIdentifier() {
        assertThatThrownBy(() -> login.newOrder().domain("www.example.com").create()).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> assertType(e, "rejectedIdentifier"));
    }

    @Test
    void aCsrThatDoesNotMatchItsOrderIsABadCsr() throws Exception {
        var order = login.newOrder().domain("csr-order.test").create();
        solve(order.getAuthorizations(), "http");
        order.waitUntilReady(Duration.ofSeconds(30));
        CSRBuilder csr = new CSRBuilder();
        csr.addDomain("another-name.test");
        csr.sign(ecKeyPair());
        assertThatThrownBy(() -> order.execute(csr.getEncoded())).isInstanceOf(AcmeServerException.class)
                .satisfies(e -> assertType(e, "badCSR"));
        // The order can still be finalized with the right CSR.
        order.execute(ecKeyPair());
        assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
    }

    @Test
    void aFailedChallengeInvalidatesTheAuthorizationAndTheOrderSaysWhy() throws Exception {
        var order = login.newOrder().domain("nobody-answers.test").create();
        Authorization authorization = order.getAuthorizations().get(0);
        Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
        challenge.trigger(); // nothing serves the token
        // The first attempt failed while the answer waited: answered processing, the retries go on after it.
        assertThat(challenge.getStatus()).isEqualTo(Status.PROCESSING);
        assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.INVALID);
        challenge.fetch();
        assertThat(challenge.getStatus()).isEqualTo(Status.INVALID);
        assertThat(challenge.getError().orElseThrow().getType().toString()).isEqualTo("urn:ietf:params:acme:error:unauthorized");
        order.fetch();
        assertThat(order.getStatus()).isEqualTo(Status.INVALID);
        var error = order.getError().orElseThrow();
        assertThat(error.getSubProblems()).hasSize(1);
        assertThat(error.getSubProblems().get(0).getIdentifier().orElseThrow().getDomain()).isEqualTo("nobody-answers.test");
    }

    @Test
    void aReplayedNonceIsBadNonceAndComesWithAFreshOne() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String nonce = newNonce();
        String url = base() + "/new-account";
        HttpResponse<String> first = post(url, sign(key, nonce, url, true, "{\"termsOfServiceAgreed\":true}"));
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        HttpResponse<String> replay = post(url, sign(key, nonce, url, true, "{\"termsOfServiceAgreed\":true}"));
        assertProblem(replay, 400, "badNonce");
        assertThat(replay.headers().firstValue("Replay-Nonce")).isPresent();
        // The fresh nonce works.
        HttpResponse<String> retried = post(url, sign(key, replay.headers().firstValue("Replay-Nonce").orElseThrow(), url, true,
                "{\"termsOfServiceAgreed\":true}"));
        assertThat(retried.statusCode()).isEqualTo(200);
    }

    @Test
    void aJwsForAnotherUrlIsUnauthorized() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String url = base() + "/new-account";
        assertProblem(post(url, sign(key, newNonce(), base() + "/new-order", true, "{}")), 403, "unauthorized");
    }

    @Test
    void anUnknownAccountIsAccountDoesNotExist() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).generate();
        String url = base() + "/new-order";
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(base() + "/acct/999999").customParam("nonce", newNonce())
                .customParam("url", url).build();
        JWSObject jws = new JWSObject(header, new Payload("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.test\"}]}"));
        jws.sign(new ECDSASigner(key));
        assertProblem(post(url, flattened(jws)), 400, "accountDoesNotExist");
    }

    @Test
    void aMacOrMalformedBodyIsRefusedWithItsType() throws Exception {
        String url = base() + "/new-account";
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JOSE).customParam("nonce", newNonce())
                .customParam("url", url).jwk(new ECKeyGenerator(Curve.P_256).generate().toPublicJWK()).build();
        JWSObject jws = new JWSObject(header, new Payload("{}"));
        jws.sign(new MACSigner(new byte[32]));
        assertProblem(post(url, flattened(jws)), 400, "badSignatureAlgorithm");
        assertProblem(post(url, "{not json"), 400, "malformed");
        HttpResponse<String> wrongType = client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongType.statusCode()).isBetween(400, 499);
        assertThat(wrongType.body()).contains("urn:ietf:params:acme:error:malformed");
    }

    @Test
    void tooManyOrdersForOneNameAreRateLimitedWithRetryAfter() throws Exception {
        for (int i = 0; i < 3; i++) {
            login.newOrder().domain("limited.test").create();
        }
        assertThatThrownBy(() -> login.newOrder().domain("limited.test").create())
                .isInstanceOf(org.shredzone.acme4j.exception.AcmeRateLimitedException.class)
                .satisfies(e -> assertType(e, "rateLimited"))
                .satisfies(e -> assertThat(((org.shredzone.acme4j.exception.AcmeRateLimitedException) e).getRetryAfter())
                        // 3 per day: a burst of 3, then one every 8 hours (GCRA).
                        .hasValueSatisfying(at -> assertThat(at).isBetween(java.time.Instant.now().plus(Duration.ofHours(7)),
                                java.time.Instant.now().plus(Duration.ofHours(9)))));
        assertThat(login.newOrder().domain("not-limited.test").create()).isNotNull();
    }

    @Test
    void aNonceFromOneNodeIsAcceptedOnceByAnotherSharingTheDatabase(@org.junit.jupiter.api.io.TempDir Path secondData) throws Exception {
        try (CertwrightProcess second = CertwrightProcess.start(new CertwrightProcess.Options(secondData, database)
                .env("CERTWRIGHT_CA_PASSPHRASE", app.readSecret("ca/passphrase")))) {
            HttpClient toSecond = HttpClient.newBuilder().sslContext(CertwrightProcess.trustingRoot(second.root())).build();
            String secondBase = "https://localhost:" + second.httpsPort() + "/acme";
            ECKey key = new ECKeyGenerator(Curve.P_256).generate();
            String nonce = newNonce(); // from the first node
            String body = sign(key, nonce, secondBase + "/new-account", true, "{\"termsOfServiceAgreed\":true}");
            HttpResponse<String> accepted = toSecond.send(HttpRequest.newBuilder(URI.create(secondBase + "/new-account"))
                    .header("Content-Type", "application/jose+json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);
            // Spent on the second node, it is refused by the first.
            assertProblem(post(base() + "/new-account", sign(key, nonce, base() + "/new-account", true, "{\"termsOfServiceAgreed\":true}")),
                    400, "badNonce");
        }
    }

    // --- helpers ---

    Session session() {
        return new Session(URI.create(directory));
    }

    X509Certificate obtain(Login account, String how, String domain) throws Exception {
        return obtain(account, how, domain, ecKeyPair());
    }

    X509Certificate obtain(Login account, String how, String domain, KeyPair domainKey) throws Exception {
        var order = account.newOrder().domain(domain).create();
        solve(order.getAuthorizations(), how);
        assertThat(order.waitUntilReady(Duration.ofSeconds(30))).isEqualTo(Status.READY);
        order.execute(domainKey);
        assertThat(order.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        return order.getCertificate().getCertificate();
    }

    void solve(List<Authorization> authorizations, String how) throws Exception {
        for (Authorization authorization : authorizations) {
            if (how.equals("http")) {
                Http01Challenge challenge = authorization.findChallenge(Http01Challenge.class).orElseThrow();
                http01.serve(challenge.getToken(), challenge.getAuthorization());
                challenge.trigger();
                // Validated while the answer waited (certwright.acme.challenge-answer-wait), so already valid.
                assertThat(challenge.getStatus()).isEqualTo(Status.VALID);
            } else {
                Dns01Challenge challenge = authorization.findChallenge(Dns01Challenge.class).orElseThrow();
                dns.setTxt(challenge.getRRName(authorization.getIdentifier()), challenge.getDigest());
                challenge.trigger();
            }
            assertThat(authorization.waitForCompletion(Duration.ofSeconds(30))).isEqualTo(Status.VALID);
        }
    }

    String ocsp(X509Certificate certificate) {
        Path file = openssl.write("ocsp-" + certificate.getSerialNumber().toString(16) + ".pem", Openssl.pem(certificate));
        return openssl.run("ocsp", "-issuer", "chain.pem", "-cert", file.toString(), "-url", "http://127.0.0.1:" + app.httpPort() + "/ocsp",
                "-CAfile", "root.pem", "-verify_other", "chain.pem").output();
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    static void assertType(Throwable e, String type) {
        assertThat(((AcmeServerException) e).getType().toString()).as(e.getMessage()).isEqualTo("urn:ietf:params:acme:error:" + type);
    }

    String base() {
        return "https://localhost:" + app.httpsPort() + "/acme";
    }

    String newNonce() throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(base() + "/new-nonce")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.discarding()).headers().firstValue("Replay-Nonce").orElseThrow();
    }

    static String sign(ECKey key, String nonce, String url, boolean jwk, String payload) throws Exception {
        JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256).customParam("nonce", nonce).customParam("url", url);
        if (jwk) {
            header.jwk(key.toPublicJWK());
        }
        JWSObject jws = new JWSObject(header.build(), new Payload(payload));
        jws.sign(new ECDSASigner(key));
        return flattened(jws);
    }

    static String flattened(JWSObject jws) {
        String[] parts = jws.serialize().split("\\.", -1);
        return "{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}";
    }

    HttpResponse<String> post(String url, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/jose+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertProblem(HttpResponse<String> response, int status, String type) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
        assertThat(Json.parse(response.body()).get("type").asString()).isEqualTo("urn:ietf:params:acme:error:" + type);
    }
}
