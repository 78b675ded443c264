package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import dev.certwright.support.ChallengeTestServer;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Openssl;
import dev.certwright.support.Pkcs11Objects;
import dev.certwright.support.SoftHsm;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Issuer keys in SoftHSM2 on H2, beyond the core of {@link HsmEndToEnd}: ACME issuance through acme4j (http-01), a
 * CA key and certificate made with openssl imported into the token by a ca-config reload, and restarts: a wrong PIN
 * and a token without the keys each stop the start with one sentence, the keystore row (read while the node is
 * stopped) holds no issuer key, the next start finds every key in the token, and switching ca-config to
 * {@code keyStore.kek: token} lets a KEK rotation move the keys wrapped under the keystore's {@code kek-1} to a KEK in
 * the token, every service getting its very key.
 */
class H2HsmIT extends HsmEndToEnd {

    static final String IMPORTED = "imported-root";
    ChallengeTestServer dns;
    int http01Port;

    @Override
    TestDatabase database() {
        return TestDatabase.h2();
    }

    @Override
    String initialKek() {
        return "keystore";
    }

    @Override
    CertwrightProcess.Options withPeers(CertwrightProcess.Options options) throws Exception {
        if (dns == null) {
            dns = ChallengeTestServer.start(work.resolve("challtestsrv.log"));
            http01Port = CertwrightProcess.freePort();
        }
        return options.arg("--certwright.acme.http01-port=" + http01Port).arg("--certwright.acme.dns-resolver=" + dns.dnsResolver());
    }

    @AfterAll
    void stopPeers() {
        if (dns != null) {
            dns.close();
        }
    }

    @Test
    void acmeIssuanceIsSignedInTheToken() throws Exception {
        Http01Orders.order(app, root, http01Port, "hsm-acme.test", PROFILE, certificate -> {
            List<X509Certificate> chain = certificate.getCertificateChain();
            assertThat(chain).hasSize(2);
            assertThat(chain.get(1).getSubjectX500Principal().getName()).contains("Certwright HSM Test Issuing CA");
            Path leaf = openssl.write("hsm-acme.pem", Openssl.pem(chain.get(0)));
            Path intermediate = openssl.write("hsm-acme-chain.pem", Openssl.pem(chain.get(1)));
            assertThat(openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", "root.pem", "-untrusted", intermediate.toString(),
                    leaf.toString()).output()).contains(leaf + ": OK");
        });
    }

    @Test
    void aCaKeyMadeWithOpensslIsImportedIntoTheTokenAndKeptNowhereElse() throws Exception {
        Path files = Files.createDirectories(work.resolve("import"));
        Openssl offline = new Openssl(files);
        offline.run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "root.key").assertSuccess();
        offline.run("req", "-x509", "-key", "root.key", "-subj", "/O=Certwright Test/CN=Imported HSM Root", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:true,pathlen:0", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem")
                .assertSuccess();
        synchronized (this) {
            addedIssuers.append("  " + IMPORTED + ":\n    source: import\n    certificate: " + files.resolve("root.pem") + "\n    key: "
                    + files.resolve("root.key") + "\n");
            addedProfiles.append("  imported-server:\n    issuer: " + IMPORTED + "\n    extendedKeyUsages: [serverAuth]\n    maxValidity: P90D\n");
            writeConfig(token.label());
        }

        Response reloaded = app.send("POST", "/api/v1/ca-config/reload", admin, null, null);
        assertThat(reloaded.status()).as(reloaded.toString()).isEqualTo(200);
        assertThat(reloaded.json().get("issuersAdded")).extracting(JsonNode::asString).containsExactly(IMPORTED);
        // The key file is not needed any more: the key is in the token, and only there.
        Files.delete(files.resolve("root.key"));

        JsonNode imported = issuer(IMPORTED);
        assertThat(imported.get("keyLocation").asString()).isEqualTo("pkcs11");
        assertThat(imported.get("source").asString()).isEqualTo("import");
        Pkcs11Objects objects = objects();
        // Sensitive and not extractable, but neither "always sensitive" nor "never extractable": it was outside the token
        // once (PKCS#11 v2.40 §4.9, CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE).
        assertThat(objects.privateKey(IMPORTED).get("Access")).isEqualTo(Pkcs11Objects.IMPORTED_ACCESS);
        assertThat(objects.privateKey(IMPORTED).get("Usage")).isEqualTo("sign");
        assertThat(objects.certificate(IMPORTED).get("subject")).isEqualTo("DN: O=Certwright Test, CN=Imported HSM Root");
        Issued leaf = issue("imported-leaf", "imported-server");
        assertThat(leaf.issuer()).isEqualTo(IMPORTED);
        assertThat(openssl.run("verify", "-x509_strict", "-purpose", "sslserver", "-CAfile", files.resolve("root.pem").toString(),
                leaf.file().toString()).output()).contains(leaf.file() + ": OK");
    }

    @Test
    void aRestartFindsTheKeysInTheTokenAndARotationMovesStoredKeysToAKekInTheToken() throws Exception {
        ServiceBundles slots = slots("restart", 2);
        assertThat(kekStatus().get("currentKekId").asString()).isEqualTo("kek-1");
        app.close();
        try (Connection connection = TestDatabase.h2WhileStopped(app.dataDir())) {
            assertNoIssuerKeyInTheDatabase(connection);
            assertThat(storedKeysByKek(connection)).containsOnlyKeys("kek-1");
        }

        // A wrong PIN, and a token that does not hold the keys: each start stops with its sentence, and changes nothing.
        String wrongPin = "wrong-" + token.pin().substring(4);
        String refused = failedStart(options(wrongPin));
        assertThat(refused).contains(PIN_ENV).contains("refused the PIN in " + PIN_ENV).doesNotContain(wrongPin);
        SoftHsm.Token empty = token.another();
        writeConfig(empty.label());
        String missing = failedStart(options(empty.pin()));
        assertThat(missing).contains("holds no key for issuer generation(s) [").contains(ROOT).contains(ISSUING).doesNotContain(empty.pin());

        // With the right token, and new KEKs to be made in it from now on.
        synchronized (this) {
            kek = "token";
            writeConfig(token.label());
        }
        restart();
        assertThat(app.log()).contains("keyStore.kek is token, and new keys are wrapped under kek-1 in the CA keystore until a KEK rotation");
        for (JsonNode issuer : app.get("/api/v1/issuers", admin).json()) {
            assertThat(issuer.get("keyLocation").asString()).as(issuer.get("name").asString()).isEqualTo("pkcs11");
        }
        Issued afterRestart = issue("after-restart", PROFILE);
        assertThat(verify(afterRestart).output()).contains(afterRestart.file() + ": OK");
        Response revoked = app.postJson("/api/v1/certificates/" + afterRestart.serial() + "/revoke?issuer=" + afterRestart.issuer(), admin,
                Map.of("reason", "superseded"));
        assertThat(revoked.status()).as(revoked.toString()).isEqualTo(200);
        assertCrlLists(afterRestart.issuer(), new BigInteger(afterRestart.serial(), 16));
        awaitOcsp(afterRestart, ": revoked");

        // The rotation makes kek-2 in the token and moves every stored key under kek-1 there.
        Response rotated = app.send("POST", "/api/v1/kek/rotate", admin, null, null);
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(202);
        assertThat(rotated.json().get("currentKekId").asString()).isEqualTo("kek-2");
        JsonNode done = awaitRotationCompleted("kek-2");
        assertThat(done.get("keysLeft").asLong()).isZero();
        assertThat(kekEntry("kek-2").get("location").asString()).isEqualTo("token");
        assertThat(kekEntry("kek-1").get("keys").asLong()).isZero();
        assertThat(kekEntry("kek-2").get("keys").asLong()).isPositive();
        assertThat(objects().secretKey("certwright:kek-2").get("Access")).isEqualTo(Pkcs11Objects.GENERATED_ACCESS);
        slots.assertServedAsBefore();
        ServiceBundles later = slots("after-rotation", 1);
        later.assertServedAsBefore();
        assertThat(kekEntry("kek-1").get("keys").asLong()).as("new wraps use the token's KEK").isZero();
        assertThat(app.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
    }

    /** Starts a node that must refuse to start; returns what it printed. */
    private String failedStart(CertwrightProcess.Options options) {
        int before = app.log().length();
        CertwrightProcess failing = CertwrightProcess.start(options.noWait());
        assertThat(failing.awaitExit(STARTUP)).isNotZero();
        String printed = failing.log().substring(before);
        assertThat(printed).doesNotContain(token.pin()).doesNotContain(passphrase);
        return printed;
    }
}
