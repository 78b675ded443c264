package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.JsonNode;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/**
 * The CA hierarchy as a team adopting Certwright meets it (issue 21): an intermediate whose certificate an offline root
 * signs with openssl, issuers imported from PEM files and a PKCS#12 that openssl wrote, issuers added to and removed
 * from ca-config after the first start, a database from before the issuer registry, and two nodes on one PostgreSQL
 * database that see each other's changes.
 */
class CaHierarchyIT {

    static final String PASSPHRASE = "correct horse battery staple";
    static final String PEM_CHAIN = "application/pem-certificate-chain";
    static final String ADMIN_TOKEN = "hierarchy-admin-token-0123456789abcdef";

    /** ca-config with an external intermediate, a generated issuer below it, and profiles on both. */
    static final String EXTERNAL = """
            issuers:
              corp-issuing:
                source: external
                subject: "CN=Corp Issuing CA,O=Corp"
                keyAlgorithm: EC-P256
                pathLength: 1
              corp-team:
                parent: corp-issuing
                subject: "CN=Corp Team CA,O=Corp"
                keyAlgorithm: EC-P256
                validity: P365D
                pathLength: 0
            profiles:
              tls-server:
                issuer: corp-team
                extendedKeyUsages: [serverAuth]
                maxValidity: P90D
                acme: true
              direct:
                issuer: corp-issuing
                extendedKeyUsages: [serverAuth]
                maxValidity: P30D
            policy:
              dnsNames: [localhost, "*.test"]
              ipRanges: ["127.0.0.0/8"]
              keyAlgorithms: [EC-P256, RSA-2048]
            """;

    @Test
    void anIntermediateSignedByAnOfflineOpensslRootIsInstalledAndIssues(@TempDir Path work) throws Exception {
        Openssl openssl = new Openssl(work);
        offlineRoot(openssl);
        Path config = Files.writeString(work.resolve("ca.yml"), EXTERNAL);
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2())) {
            // Until the offline root has signed, the listener serves a temporary self-signed certificate.
            X509Certificate temporary = app.servedLeafUnchecked();
            assertThat(temporary.getSubjectX500Principal().getName()).contains("temporary");
            app.trust(temporary);
            String admin = ADMIN_TOKEN;
            JsonNode issuers = app.get("/api/v1/issuers", admin).json();
            assertThat(issuers).hasSize(1);
            assertThat(issuers.get(0).get("name").asString()).isEqualTo("corp-issuing");
            assertThat(issuers.get(0).get("state").asString()).isEqualTo("AWAITING_CERTIFICATE");
            assertThat(issuers.get(0).get("source").asString()).isEqualTo("external");
            assertThat(issuers.get(0).get("certificatePem").isNull()).isTrue();
            Response refused = app.postJson("/api/v1/certificates", admin, Map.of("csr", openssl.csr("/CN=a.test", "subjectAltName=DNS:a.test"),
                    "profile", "direct", "owner", "team-a"));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("type").asString()).isEqualTo("urn:certwright:problem:issuer-not-ready");
            assertThat(refused.json().get("detail").asString()).contains("GET /api/v1/issuers/corp-issuing/csr");
            assertThat(app.get("/ca/corp-issuing.crt", null).status()).isEqualTo(404);

            // The request asks for what the issuer must be; openssl checks its signature.
            Response csr = app.get("/api/v1/issuers/corp-issuing/csr", admin);
            assertThat(csr.status()).isEqualTo(200);
            openssl.write("issuing.csr", csr.body());
            String text = openssl.run("req", "-in", "issuing.csr", "-noout", "-verify", "-text").assertSuccess().output();
            assertThat(text).contains("verify OK").contains("CN = Corp Issuing CA").contains("CA:TRUE, pathlen:1").contains("Certificate Sign, CRL Sign");

            // What the offline CA might return by mistake is refused, with a sentence, and changes nothing.
            openssl.run("x509", "-req", "-in", "issuing.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "11", "-days", "365",
                    "-out", "not-a-ca.pem").assertSuccess();
            openssl.run("x509", "-req", "-in", "issuing.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "12", "-days", "365",
                    "-extfile", openssl.write("short.cnf", "basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n").toString(),
                    "-out", "short.pem").assertSuccess();
            String root = Files.readString(work.resolve("root.pem"));
            Map<String, String> mistakes = Map.of(
                    root, "the first certificate is for another key",
                    Files.readString(work.resolve("not-a-ca.pem")) + root, "is not a CA certificate",
                    Files.readString(work.resolve("short.pem")) + root, "allows a path length of 0, and ca-config has 1 level(s)");
            for (var mistake : mistakes.entrySet()) {
                Response answer = app.send("PUT", "/api/v1/issuers/corp-issuing/certificate", admin, PEM_CHAIN, mistake.getKey());
                assertThat(answer.status()).as(mistake.getValue()).isEqualTo(422);
                assertThat(answer.json().get("detail").asString()).contains(mistake.getValue());
            }
            openssl.run("x509", "-req", "-in", "issuing.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "13", "-days", "1825",
                    "-copy_extensions", "copy", "-out", "issuing.pem").assertSuccess();
            String issuing = Files.readString(work.resolve("issuing.pem"));
            Response noRoot = app.send("PUT", "/api/v1/issuers/corp-issuing/certificate", admin, PEM_CHAIN, issuing);
            assertThat(noRoot.status()).isEqualTo(422);
            assertThat(noRoot.json().get("detail").asString()).contains("not a self-signed root");
            assertThat(app.send("PUT", "/api/v1/issuers/corp-issuing/certificate", admin, PEM_CHAIN, "no PEM here").status()).isEqualTo(400);
            assertThat(app.get("/api/v1/issuers/corp-issuing", admin).json().get("state").asString()).isEqualTo("AWAITING_CERTIFICATE");

            Response installed = app.send("PUT", "/api/v1/issuers/corp-issuing/certificate", admin, PEM_CHAIN, issuing + root);
            assertThat(installed.status()).as(installed.body()).isEqualTo(200);
            assertThat(installed.json().get("state").asString()).isEqualTo("ACTIVE");
            assertThat(app.send("PUT", "/api/v1/issuers/corp-issuing/certificate", admin, PEM_CHAIN, issuing + root).status()).isEqualTo(409);
            // The issuer configured below it is made at once.
            JsonNode team = app.get("/api/v1/issuers/corp-team", admin).json();
            assertThat(team.get("state").asString()).isEqualTo("ACTIVE");
            assertThat(team.get("source").asString()).isEqualTo("generate");

            // The listener moves to a certificate that chains to the offline root; a leaf verifies with openssl.
            X509Certificate offlineRoot = Openssl.parse(root);
            app.trust(offlineRoot);
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> app.servedLeaf() != null);
            assertLeafVerifies(app, openssl, admin, "tls-server", "b.test");
            assertLeafVerifies(app, openssl, admin, "direct", "c.test");
            openssl.write("team-ca.pem", team.get("certificatePem").asString());
            // A new issuer's first CRL comes with the publishing job's next run.
            CertwrightProcess.Binary crl = Awaitility.await().atMost(Duration.ofSeconds(60))
                    .until(() -> app.plain("GET", "/crl/corp-team.crl", null, null), answer -> answer.status() == 200);
            openssl.write("team.crl", crl.body());
            assertThat(openssl.run("crl", "-inform", "DER", "-in", "team.crl", "-noout", "-CAfile", "team-ca.pem").assertSuccess().output())
                    .contains("verify OK");
            assertThat(app.get("/api/v1/audit-log?action=ca.issuer.certificate-installed", admin).json()).hasSize(1);
        }
        // A restart finds everything as it was.
        try (CertwrightProcess again = start(work, "data", config, TestDatabase.h2())) {
            again.trust(Openssl.parse(Files.readString(work.resolve("root.pem"))));
            String admin = ADMIN_TOKEN;
            assertThat(again.get("/api/v1/issuers", admin).json()).extracting(n -> n.get("state").asString()).containsOnly("ACTIVE");
            assertLeafVerifies(again, openssl, admin, "tls-server", "d.test");
            assertThat(again.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
        }
    }

    @Test
    void anExternalIssuerRollsOverThroughTheOfflineRoot(@TempDir Path work) throws Exception {
        Openssl openssl = new Openssl(work);
        offlineRoot(openssl);
        Path config = Files.writeString(work.resolve("ca.yml"), EXTERNAL);
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2())) {
            app.trust(app.servedLeafUnchecked());
            String admin = ADMIN_TOKEN;
            String root = Files.readString(work.resolve("root.pem"));
            installFromOfflineRoot(app, openssl, "corp-issuing", "31", root);
            app.trust(Openssl.parse(root));
            Awaitility.await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> app.servedLeaf() != null);
            // The successor of an issuer whose parent is offline awaits its certificate; issuance stays on the first.
            Response rolled = app.postJson("/api/v1/issuers/corp-issuing/rollover", admin, Map.of());
            assertThat(rolled.status()).as(rolled.body()).isEqualTo(201);
            assertThat(rolled.json().get("name").asString()).isEqualTo("corp-issuing-g2");
            assertThat(rolled.json().get("state").asString()).isEqualTo("AWAITING_CERTIFICATE");
            Response before = app.postJson("/api/v1/certificates", admin, Map.of("csr", openssl.csr("/CN=e.test", "subjectAltName=DNS:e.test"),
                    "profile", "direct", "owner", "team-e"));
            assertThat(before.json().get("issuer").asString()).isEqualTo("corp-issuing");
            installFromOfflineRoot(app, openssl, "corp-issuing-g2", "32", root);
            // Installed, and the switch time (now) has come: new certificates come from the successor.
            assertThat(app.get("/api/v1/issuers/corp-issuing-g2", admin).json().get("state").asString()).isEqualTo("ACTIVE");
            assertThat(app.get("/api/v1/issuers/corp-issuing", admin).json().get("state").asString()).isEqualTo("RETIRING");
            String serial = assertLeafVerifies(app, openssl, admin, "direct", "f.test");
            assertThat(app.get("/api/v1/certificates/" + serial, admin).json().get("issuer").asString()).isEqualTo("corp-issuing-g2");
            // The certificate issued before the switch still verifies, through the first generation.
            openssl.write("e.pem", before.json().get("certificatePem").asString());
            openssl.write("e-chain.pem", before.json().get("chainPem").asString());
            assertThat(openssl.run("verify", "-CAfile", "root.pem", "-untrusted", "e-chain.pem", "e.pem").assertSuccess().output()).contains("e.pem: OK");
        }
    }

    /** The request of an awaiting generation, signed by the offline root with openssl, installed with its root. */
    static void installFromOfflineRoot(CertwrightProcess app, Openssl openssl, String name, String serial, String root) throws Exception {
        openssl.write(name + ".csr", app.get("/api/v1/issuers/" + name + "/csr", ADMIN_TOKEN).body());
        openssl.run("x509", "-req", "-in", name + ".csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", serial, "-days", "1825",
                "-copy_extensions", "copy", "-out", name + ".pem").assertSuccess();
        Response installed = app.send("PUT", "/api/v1/issuers/" + name + "/certificate", ADMIN_TOKEN, PEM_CHAIN,
                Files.readString(openssl.work().resolve(name + ".pem")) + root);
        assertThat(installed.status()).as(installed.body()).isEqualTo(200);
    }

    @Test
    void issuersImportedFromPemAndPkcs12AreKeptWithoutTheirFiles(@TempDir Path work) throws Exception {
        Openssl openssl = new Openssl(work);
        Path keys = Files.createDirectories(work.resolve("keys"));
        Openssl files = new Openssl(keys);
        // An existing root, its key encrypted as openssl writes it; an intermediate under it as a PKCS#12.
        files.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:root-key-passphrase",
                "-out", "root.key").assertSuccess();
        files.run("req", "-x509", "-key", "root.key", "-passin", "pass:root-key-passphrase", "-subj", "/O=Acme/CN=Acme Root", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem").assertSuccess();
        files.run("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "mid.key", "-subj", "/O=Acme/CN=Acme Issuing",
                "-out", "mid.csr").assertSuccess();
        files.run("x509", "-req", "-in", "mid.csr", "-CA", "root.pem", "-CAkey", "root.key", "-passin", "pass:root-key-passphrase", "-set_serial", "7",
                "-days", "1000", "-extfile", files.write("ca.cnf", "basicConstraints=critical,CA:true,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n").toString(),
                "-out", "mid.pem").assertSuccess();
        files.run("pkcs12", "-export", "-inkey", "mid.key", "-in", "mid.pem", "-certfile", "root.pem", "-passout", "pass:p12-passphrase", "-out", "mid.p12")
                .assertSuccess();
        Files.delete(keys.resolve("mid.key"));
        Path config = Files.writeString(work.resolve("ca.yml"), """
                issuers:
                  acme-root:
                    source: import
                    certificate: keys/root.pem
                    key: keys/root.key
                    passphraseEnv: ROOT_KEY_PASSPHRASE
                  acme-issuing:
                    source: import
                    parent: acme-root
                    pkcs12: keys/mid.p12
                    passphraseEnv: MID_P12_PASSPHRASE
                profiles:
                  tls-server:
                    issuer: acme-issuing
                    extendedKeyUsages: [serverAuth]
                    maxValidity: P90D
                policy:
                  dnsNames: [localhost, "*.test"]
                  ipRanges: ["127.0.0.0/8"]
                  keyAlgorithms: [EC-P256]
                """);
        Map<String, String> passphrases = Map.of("ROOT_KEY_PASSPHRASE", "root-key-passphrase", "MID_P12_PASSPHRASE", "p12-passphrase");
        // A wrong passphrase stops the first start with a sentence, and never prints the passphrase.
        try (CertwrightProcess wrong = CertwrightProcess.start(options(work, "wrong", config, TestDatabase.h2())
                .env("ROOT_KEY_PASSPHRASE", "not-the-passphrase").env("MID_P12_PASSPHRASE", "p12-passphrase").noWait())) {
            assertThat(wrong.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(wrong.log()).contains("issuers.acme-root.key: " + keys.resolve("root.key") + " cannot be decrypted")
                    .doesNotContain("not-the-passphrase");
        }
        X509Certificate root = Openssl.parse(Files.readString(keys.resolve("root.pem")));
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2(), passphrases)) {
            app.trust(root);
            String admin = ADMIN_TOKEN;
            JsonNode issuers = app.get("/api/v1/issuers", admin).json();
            assertThat(issuers).extracting(n -> n.get("name").asString() + " " + n.get("source").asString() + " " + n.get("state").asString())
                    .containsExactly("acme-root import ACTIVE", "acme-issuing import ACTIVE");
            assertLeafVerifies(app, openssl, admin, "tls-server", "a.test");
        }
        // The files are not needed after the import.
        Path moved = Files.move(keys, work.resolve("keys-elsewhere"));
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2())) {
            app.trust(root);
            assertLeafVerifies(app, openssl, ADMIN_TOKEN, "tls-server", "b.test");
        }
        // Another key under the same name is refused: that would be a rollover.
        Files.createDirectories(keys);
        Files.copy(moved.resolve("mid.p12"), keys.resolve("mid.p12"));
        files.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-aes256", "-pass", "pass:root-key-passphrase",
                "-out", "root.key").assertSuccess();
        files.run("req", "-x509", "-key", "root.key", "-passin", "pass:root-key-passphrase", "-subj", "/O=Acme/CN=Acme Root", "-days", "3650",
                "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem").assertSuccess();
        try (CertwrightProcess refused = CertwrightProcess.start(options(work, "data", config, TestDatabase.h2())
                .env("ROOT_KEY_PASSPHRASE", "root-key-passphrase").env("MID_P12_PASSPHRASE", "p12-passphrase").noWait())) {
            assertThat(refused.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(refused.log()).contains("issuers.acme-root names files with a different key from the one imported on");
        }
    }

    @Test
    void caConfigChangesAfterTheFirstStartAreAppliedOrRefused(@TempDir Path work) throws Exception {
        Openssl openssl = new Openssl(work);
        String dev = Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"));
        Path config = Files.writeString(work.resolve("ca.yml"), dev);
        String added = dev.replace("profiles:\n", """
                  dev-clients:
                    parent: dev-root
                    subject: "CN=Certwright Dev Clients CA,O=Certwright Development"
                    keyAlgorithm: EC-P384
                    validity: P365D
                    pathLength: 0
                profiles:
                  clients:
                    issuer: dev-clients
                    extendedKeyUsages: [clientAuth]
                    maxValidity: P30D
                """);
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2())) {
            String admin = ADMIN_TOKEN;
            Files.writeString(config, added);
            JsonNode dryRun = app.postJson("/api/v1/ca-config/reload?dryRun=true", admin, Map.of()).json();
            assertThat(dryRun.get("issuersAdded")).extracting(JsonNode::asString).containsExactly("dev-clients");
            assertThat(dryRun.get("profilesAdded")).extracting(JsonNode::asString).containsExactly("clients");
            assertThat(dryRun.get("applied").asBoolean()).isFalse();
            assertThat(app.get("/api/v1/issuers/dev-clients", admin).status()).as("a dry run changes nothing").isEqualTo(404);
            JsonNode applied = app.postJson("/api/v1/ca-config/reload", admin, Map.of()).json();
            assertThat(applied.get("applied").asBoolean()).isTrue();
            assertThat(app.get("/api/v1/issuers/dev-clients", admin).json().get("keyAlgorithm").asString()).isEqualTo("EC-P384");
            assertLeafVerifies(app, openssl, admin, "clients", "client.test");
            assertThat(app.get("/api/v1/audit-log?action=ca-config.reloaded", admin).json()).hasSize(1);

            // Removing an issuer that still has certificates to answer for is refused, and nothing is applied.
            Files.writeString(config, added.replace("issuer: dev-clients", "issuer: dev-issuing").replaceAll(
                    "(?s)  dev-clients:\n.*?pathLength: 0\n", ""));
            Response dry = app.postJson("/api/v1/ca-config/reload?dryRun=true", admin, Map.of());
            assertThat(dry.json().get("refusals").get(0).asString()).containsPattern("issuer dev-clients was removed, but it still has \\d+ unexpired certificates");
            Response refused = app.postJson("/api/v1/ca-config/reload", admin, Map.of());
            assertThat(refused.status()).isEqualTo(409);
            assertThat(app.get("/api/v1/issuers/dev-clients", admin).json().get("state").asString()).isEqualTo("ACTIVE");
            // A changed subject is a rollover, not a reload.
            Files.writeString(config, dev.replace("CN=Certwright Dev Issuing CA,", "CN=Certwright Dev Issuing CA 2,"));
            Response subject = app.postJson("/api/v1/ca-config/reload", admin, Map.of());
            assertThat(subject.status()).isEqualTo(409);
            assertThat(subject.json().get("detail").asString()).contains("issuers.dev-issuing has subject").contains("is a rollover");
            Files.writeString(config, dev + "\nnot: [valid");
            assertThat(app.postJson("/api/v1/ca-config/reload", admin, Map.of()).status()).isEqualTo(422);
        }
        // The same changed subject stops a restart, with the same sentence.
        try (CertwrightProcess refused = CertwrightProcess.start(options(work, "data", config, TestDatabase.h2()).noWait())) {
            Files.writeString(config, added.replace("CN=Certwright Dev Issuing CA,", "CN=Certwright Dev Issuing CA 2,"));
            assertThat(refused.awaitExit(Duration.ofSeconds(90))).isNotZero();
            assertThat(refused.log()).contains("issuers.dev-issuing has subject \"CN=Certwright Dev Issuing CA 2,O=Certwright Development\"");
        }
    }

    @Test
    void aDatabaseFromBeforeTheRegistryGetsItsRowsFromTheKeystore(@TempDir Path work) throws Exception {
        Openssl openssl = new Openssl(work);
        Path config = CertwrightProcess.PROJECT.resolve("ca-config/dev.yml");
        String serial;
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2())) {
            serial = assertLeafVerifies(app, openssl, ADMIN_TOKEN, "tls-server", "old.test");
        }
        try (Connection db = DriverManager.getConnection("jdbc:h2:file:" + work.resolve("data/db/certwright")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE", "certwright", ""); Statement statement = db.createStatement()) {
            assertThat(statement.executeUpdate("DELETE FROM ca_issuer")).isEqualTo(2);
        }
        try (CertwrightProcess app = start(work, "data", config, TestDatabase.h2())) {
            String admin = ADMIN_TOKEN;
            JsonNode issuers = app.get("/api/v1/issuers", admin).json();
            assertThat(issuers).extracting(n -> n.get("name").asString() + " " + n.get("generation").asInt() + " " + n.get("state").asString())
                    .containsExactly("dev-root 1 ACTIVE", "dev-issuing 1 ACTIVE");
            assertThat(app.get("/api/v1/certificates/" + serial, admin).status()).isEqualTo(200);
            assertLeafVerifies(app, openssl, admin, "tls-server", "new.test");
        }
    }

    @Test
    void twoNodesOnOnePostgresDatabaseSeeEachOthersIssuers(@TempDir Path work) throws Exception {
        Openssl openssl = new Openssl(work);
        offlineRoot(openssl);
        Path config = Files.writeString(work.resolve("ca.yml"), EXTERNAL);
        try (TestDatabase database = TestDatabase.postgres();
                CertwrightProcess first = start(work, "node-a", config, database);
                CertwrightProcess second = start(work, "node-b", config, database)) {
            String admin = ADMIN_TOKEN;
            first.trust(first.servedLeafUnchecked());
            second.trust(second.servedLeafUnchecked());
            String secondAdmin = ADMIN_TOKEN;
            Response csr = first.get("/api/v1/issuers/corp-issuing/csr", admin);
            openssl.write("issuing.csr", csr.body());
            openssl.run("x509", "-req", "-in", "issuing.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "21", "-days", "1825",
                    "-copy_extensions", "copy", "-out", "issuing.pem").assertSuccess();
            String chain = Files.readString(work.resolve("issuing.pem")) + Files.readString(work.resolve("root.pem"));
            // Someone imported the signed certificate before it was installed (or discovery saw it served): installing
            // finds it in the inventory, which on PostgreSQL must not abort the installing transaction.
            String boundary = "ca-hierarchy-it";
            Response imported = first.send("POST", "/api/v1/imports", admin, "multipart/form-data; boundary=" + boundary, "--" + boundary
                    + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"issuing.pem\"\r\nContent-Type: application/x-pem-file\r\n\r\n"
                    + Files.readString(work.resolve("issuing.pem")) + "\r\n--" + boundary + "--\r\n");
            assertThat(imported.status()).as(imported.body()).isEqualTo(200);
            assertThat(imported.json().get("imported").asInt()).isEqualTo(1);
            Response installed = first.send("PUT", "/api/v1/issuers/corp-issuing/certificate", admin, PEM_CHAIN, chain);
            assertThat(installed.status()).as(installed.body()).isEqualTo(200);
            // The other node signs with the installed issuer and the one made below it, without a restart.
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> second.postJson("/api/v1/certificates", secondAdmin,
                    Map.of("csr", openssl.csr("/CN=b.test", "subjectAltName=DNS:b.test"), "profile", "tls-server", "owner", "team-b")).status() == 201);
            assertThat(second.get("/api/v1/issuers", secondAdmin).json()).extracting(n -> n.get("state").asString()).containsOnly("ACTIVE");
        }
    }

    /** Issues a leaf for a fresh key with the profile and checks it with openssl against the chain the API returned. */
    static String assertLeafVerifies(CertwrightProcess app, Openssl openssl, String token, String profile, String name) throws Exception {
        Response issued = app.postJson("/api/v1/certificates", token, Map.of("csr", openssl.csr("/CN=" + name, "subjectAltName=DNS:" + name),
                "profile", profile, "owner", "team-" + profile));
        assertThat(issued.status()).as(issued.body()).isEqualTo(201);
        // The API's chain stops below the root (a relying party has it already): the root is the issuer's chain's last.
        String chain = issued.json().get("chainPem").asString();
        List<X509Certificate> parts = dev.certwright.x509.Pem.decodeCertificates(
                app.get("/api/v1/issuers/" + issued.json().get("issuer").asString(), token).json().get("chainPem").asString());
        X509Certificate anchor = parts.get(parts.size() - 1);
        openssl.write(name + ".pem", issued.json().get("certificatePem").asString());
        openssl.write(name + "-chain.pem", chain);
        openssl.write(name + "-root.pem", Openssl.pem(anchor));
        assertThat(openssl.run("verify", "-CAfile", name + "-root.pem", "-untrusted", name + "-chain.pem", name + ".pem").assertSuccess().output())
                .contains(name + ".pem: OK");
        return issued.json().get("serial").asString();
    }

    /** An offline root made with openssl, as an operator would: root.key and root.pem in the folder. */
    static void offlineRoot(Openssl openssl) {
        openssl.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384", "-nodes", "-keyout", "root.key",
                "-subj", "/O=Corp/CN=Corp Offline Root", "-days", "3650", "-addext", "basicConstraints=critical,CA:true",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem").assertSuccess();
    }

    static CertwrightProcess.Options options(Path work, String node, Path config, TestDatabase database) {
        CertwrightProcess.Options options = new CertwrightProcess.Options(work.resolve(node), database)
                .arg("--certwright.ca-config=" + config).arg("--certwright.tls.check-interval=PT2S").arg("--certwright.ca.refresh-interval=PT2S")
                .env("CERTWRIGHT_CA_PASSPHRASE", PASSPHRASE).env("CERTWRIGHT_ADMIN_TOKEN", ADMIN_TOKEN);
        return options;
    }

    static CertwrightProcess start(Path work, String node, Path config, TestDatabase database) {
        return CertwrightProcess.start(options(work, node, config, database));
    }

    static CertwrightProcess start(Path work, String node, Path config, TestDatabase database, Map<String, String> environment) {
        CertwrightProcess.Options options = options(work, node, config, database);
        environment.forEach(options::env);
        return CertwrightProcess.start(options);
    }

}
