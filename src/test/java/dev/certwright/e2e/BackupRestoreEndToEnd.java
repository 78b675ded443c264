package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import dev.certwright.support.CertwrightCommand;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Binary;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.Json;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Backup and restore (decision 69) against the packaged jar, as an operator does it: a node issues and revokes, is backed
 * up, then issues and revokes more and publishes a CRL, and is stopped; the OLDER backup is restored into a new data
 * directory and database, and the new node starts with the same CA passphrase. It issues under the same root (openssl
 * verify against the original root), finds every certificate of the backup, numbers its CRLs above every number the old
 * node published (openssl crl -crlnumber), its audit log verifies with the restore on record although the signed
 * checkpoints in the shared sink name entries written after the backup (and an export without the restore statement
 * does not), and serials stay unique. openssl decrypts the archive. Bad input is one sentence and a non-zero exit:
 * a wrong passphrase, a damaged or cut archive, someone else's file, a target that holds a database. Subclasses choose
 * the database and how the backup reaches it while the node runs.
 * <p>
 * Everything up to the restored node's start happens once, in {@link #start()}; the tests then look at the result and
 * make what else they need (their own certificates, scratch directories and databases), so they run in any order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BackupRestoreEndToEnd {

    static final String BACKUP_PASSPHRASE = "backup passphrase " + UUID.randomUUID();
    static final String CA_PASSPHRASE = "ca passphrase " + UUID.randomUUID();
    static final Duration PUBLISH_DELAY = Duration.ofSeconds(3);

    Path work;
    Openssl openssl;
    Path sink;
    TestDatabase originalDatabase;
    TestDatabase restoredDatabase;
    CertwrightProcess original;
    CertwrightProcess restored;
    String admin;
    String rootPem;
    /** Issued before the backup; revoked before it; revoked only after it; issued after it. */
    Issued before;
    Issued revokedBefore;
    Issued revokedAfter;
    Issued after;
    /** The backup that is restored: older than the last CRL and the last audit entries of the original node. */
    Path older;
    /** A second backup, made the other way round (see the subclasses). */
    Path other;
    long lastCrlNumberBeforeRestore;
    Commands.Result restore;

    record Issued(String serial, Path file) {
    }

    abstract TestDatabase database();

    /** The database settings the command line needs for {@code database} (none for H2: --data-dir says where). */
    abstract List<String> settings(TestDatabase database);

    /** The backup restored later, made while the original node runs. */
    abstract Commands.Result backUpWhileRunning(Path out);

    /** A second backup (or its refusal) while the original node runs. */
    abstract void whileRunning();

    /** After the original node stopped. */
    abstract void whenStopped();

    /** The environment of every command: the passphrases, and the PostgreSQL password (never on a command line). */
    Map<String, String> environment() {
        Map<String, String> environment = new HashMap<>();
        environment.put("CERTWRIGHT_BACKUP_PASSPHRASE", BACKUP_PASSPHRASE);
        environment.put("CERTWRIGHT_CA_PASSPHRASE", CA_PASSPHRASE);
        if (originalDatabase instanceof TestDatabase.Postgres pg) {
            environment.put("SPRING_DATASOURCE_PASSWORD", pg.password());
        }
        return environment;
    }

    Commands.Result cli(Map<String, String> environment, String... args) {
        Commands.Result result = CertwrightCommand.jar(work, environment, args);
        // Whatever the outcome: no stack trace and no secret, ever.
        assertThat(result.output()).doesNotContain("\tat ").doesNotContain(BACKUP_PASSPHRASE).doesNotContain(CA_PASSPHRASE)
                .doesNotContain(admin);
        return result;
    }

    Commands.Result cli(String... args) {
        return cli(environment(), args);
    }

    CertwrightProcess.Options options(Path dataDir, TestDatabase database) {
        return new CertwrightProcess.Options(dataDir, database).env("CERTWRIGHT_CA_PASSPHRASE", CA_PASSPHRASE)
                .arg("--certwright.audit.checkpoint-sink=" + sink).arg("--certwright.audit.checkpoint-interval=PT2S")
                .arg("--certwright.crl.publish-delay=" + PUBLISH_DELAY);
    }

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-backup-");
        openssl = new Openssl(work);
        // Both nodes append their checkpoints to one sink outside their data directories, as production should: the old
        // node's checkpoints after the backup are what the restored log must be reconciled with.
        sink = Files.createDirectories(work.resolve("sink")).resolve("checkpoints.jsonl");
        originalDatabase = database();
        original = CertwrightProcess.start(options(work.resolve("original"), originalDatabase));
        admin = original.adminToken();
        rootPem = Openssl.pem(original.root());
        openssl.write("root.pem", rootPem);
        String issuingPem = original.get("/ca/dev-issuing.pem", null).body();
        openssl.write("issuing.pem", issuingPem);
        openssl.write("chain.pem", issuingPem + rootPem);

        before = issue(original, "before");
        revokedBefore = issue(original, "revoked-before");
        revokedAfter = issue(original, "revoked-after");
        assertThat(revoke(original, revokedBefore).status()).isEqualTo(200);
        awaitCrl(original, "/crl/dev-issuing.crl", crl -> crl.getRevokedCertificate(new BigInteger(revokedBefore.serial(), 16)) != null);

        older = work.resolve("older.p7m");
        backUpWhileRunning(older).assertSuccess();
        whileRunning();

        // After the backup: a certificate, a revocation, CRLs that list it, and checkpoints that sign it all.
        after = issue(original, "after");
        assertThat(revoke(original, revokedAfter).status()).isEqualTo(200);
        BigInteger lost = new BigInteger(revokedAfter.serial(), 16);
        X509CRL full = awaitCrl(original, "/crl/dev-issuing.crl", crl -> crl.getRevokedCertificate(lost) != null);
        X509CRL delta = awaitCrl(original, "/crl/dev-issuing-delta.crl", crl -> crl.getRevokedCertificate(lost) != null);
        lastCrlNumberBeforeRestore = Math.max(crlNumber(full), crlNumber(delta));
        long lastEntry = original.get("/api/v1/audit-log?size=1", admin).json().get(0).get("id").asLong();
        Awaitility.await("a checkpoint of the original node covering entry " + lastEntry).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200)).until(() -> AuditTamperEndToEnd.lastCheckpointedId(
                        Files.exists(sink) ? Files.readAllLines(sink) : List.of()) >= lastEntry);
        original.close();
        whenStopped();

        restoredDatabase = database();
        List<String> args = new ArrayList<>(List.of("restore", "--in", older.toString(), "--data-dir", work.resolve("restored").toString()));
        args.addAll(settings(restoredDatabase));
        restore = cli(args.toArray(String[]::new));
        restore.assertSuccess();
        assertThat(work.resolve("restored/restore/pending.json")).isRegularFile();
        restored = CertwrightProcess.start(options(work.resolve("restored"), restoredDatabase));
    }

    @AfterAll
    void stop() {
        try {
            if (restored != null) {
                assertThat(restored.log()).doesNotContain(admin).doesNotContain(CA_PASSPHRASE).doesNotContain(BACKUP_PASSPHRASE)
                        .doesNotContain("PRIVATE KEY");
            }
            if (original != null) {
                assertThat(original.log()).doesNotContain(BACKUP_PASSPHRASE).doesNotContain(CA_PASSPHRASE);
            }
        } finally {
            if (original != null) {
                original.close();
            }
            if (restoredDatabase != null) {
                restoredDatabase.close();
            }
            CertwrightProcess.stopAll(restored, originalDatabase, work);
        }
    }

    @Test
    void theRestoredNodeIssuesUnderTheOriginalRoot() {
        assertThat(restored.get("/ca/dev-root.pem", null).body()).isEqualTo(rootPem);
        Issued fresh = issue(restored, "fresh-leaf");
        openssl.write("issuing-restored.pem", restored.get("/ca/dev-issuing.pem", null).body());
        Commands.Result verify = openssl.run("verify", "-CAfile", "root.pem", "-untrusted", "issuing-restored.pem", "-purpose", "sslserver",
                fresh.file().toString());
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains(": OK");
    }

    @Test
    void everyCertificateOfTheBackupIsFoundAndWhatCameAfterItIsNot() {
        JsonNode kept = certificate(before);
        assertThat(kept.get("status").asString()).isEqualTo("ISSUED");
        assertThat(certificate(revokedBefore).get("status").asString()).isEqualTo("REVOKED");
        // Revoked only after the backup: the restored database does not know it (decision 69 says what to do).
        assertThat(certificate(revokedAfter).get("status").asString()).isEqualTo("ISSUED");
        assertThat(restored.get("/api/v1/certificates/" + after.serial(), admin).status()).isEqualTo(404);
        Response pem = restored.get("/api/v1/certificates/" + before.serial(), admin, "Accept", "application/pem-certificate-chain");
        assertThat(pem.status()).isEqualTo(200);
        assertThat(Openssl.parse(pem.body())).isEqualTo(Openssl.parse(readString(before.file())));
    }

    @Test
    void theRestoredNodesCrlNumbersAreAboveEveryNumberPublishedBeforeTheRestore() throws Exception {
        JsonNode manifest = manifest(older);
        long inBackup = manifest.get("crlNumbers").get("dev-issuing").asLong();
        assertThat(inBackup).as("the backup is older than the last CRL").isLessThan(lastCrlNumberBeforeRestore);
        // The first start after the restore publishes every issuer's CRLs again, without waiting for a revocation: full and
        // delta share one sequence (RFC 5280 §5.2.4), so both are above the last number of either.
        for (String path : List.of("/crl/dev-issuing.crl", "/crl/dev-issuing-delta.crl")) {
            X509CRL crl = awaitCrl(restored, path, c -> crlNumber(c) > lastCrlNumberBeforeRestore);
            assertThat(opensslCrlNumber(crl)).as(path).isGreaterThan(BigInteger.valueOf(lastCrlNumberBeforeRestore));
        }
        long rootInBackup = manifest.get("crlNumbers").get("dev-root").asLong();
        assertThat(opensslCrlNumber(awaitCrl(restored, "/crl/dev-root.crl", c -> crlNumber(c) > rootInBackup)))
                .isGreaterThan(BigInteger.valueOf(rootInBackup));
        // And a revocation on the restored node: listed under a number higher still.
        Issued victim = issue(restored, "revoked-after-restore");
        long republished = crlNumber(awaitCrl(restored, "/crl/dev-issuing.crl", c -> true));
        assertThat(revoke(restored, victim).status()).isEqualTo(200);
        X509CRL listing = awaitCrl(restored, "/crl/dev-issuing.crl", c -> c.getRevokedCertificate(new BigInteger(victim.serial(), 16)) != null);
        assertThat(crlNumber(listing)).isGreaterThan(republished);
        openssl.write("listing.crl", listing.getEncoded());
        assertThat(openssl.run("crl", "-inform", "DER", "-in", "listing.crl", "-CAfile", "chain.pem", "-noout", "-verify").output())
                .contains("verify OK");
    }

    /** What {@code openssl crl -inform DER -noout -crlnumber} says the CRL's number is. */
    BigInteger opensslCrlNumber(X509CRL crl) throws Exception {
        Path file = openssl.write("crl-" + UUID.randomUUID() + ".der", crl.getEncoded());
        String number = openssl.run("crl", "-inform", "DER", "-in", file.toString(), "-noout", "-crlnumber").assertSuccess().output().trim();
        assertThat(number).startsWith("crlNumber=0x");
        return new BigInteger(number.substring("crlNumber=0x".length()), 16);
    }

    @Test
    void theAuditLogVerifiesWithTheRestoreOnRecordAndOnlyThanksToIt() throws Exception {
        JsonNode manifest = manifest(older);
        JsonNode check = restored.get("/api/v1/audit-log/verify", admin).json();
        assertThat(check.get("valid").asBoolean()).as(check.toString()).isTrue();
        assertThat(check.get("restores").asInt()).isEqualTo(1);
        assertThat(check.get("supersededCheckpoints").asInt()).as("the old node's checkpoints after the backup").isPositive();
        JsonNode entries = restored.get("/api/v1/audit-log?action=backup.restored", admin).json();
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).get("details").asString()).contains("restored from backup taken at " + manifest.get("takenAt").asString());
        assertThat(entries.get(0).get("subjectId").asString()).isEqualTo(manifest.get("backupId").asString());
        assertThat(work.resolve("restored/restore/pending.json")).as("the marker is used once").doesNotExist();

        // Offline, as scripts/audit-verify.sh checks an export against the pinned checkpoint key.
        Path key = Files.writeString(work.resolve("checkpoint-key.jwk"), check.get("checkpointKey").toString());
        List<String> export = restored.get("/api/v1/audit-log?format=jsonl", admin).body().lines().toList();
        Path file = Files.write(work.resolve("audit.jsonl"), export);
        Commands.Result valid = Commands.run(work, CertwrightProcess.PROJECT.resolve("scripts/audit-verify.sh").toString(), file.toString(), key.toString());
        assertThat(valid.exitCode()).as(valid.output()).isZero();
        assertThat(valid.output()).contains("VALID").contains("1 restores from backup");
        // Without the signed restore statement, the same export is a rollback: what the checkpoints are there to find.
        Path cut = Files.write(work.resolve("audit-without-restore.jsonl"), export.stream().filter(l -> !l.contains("\"type\":\"restore\"")).toList());
        Commands.Result invalid = Commands.run(work, CertwrightProcess.PROJECT.resolve("scripts/audit-verify.sh").toString(), cut.toString(), key.toString());
        assertThat(invalid.exitCode()).as(invalid.output()).isEqualTo(1);
        assertThat(invalid.output()).contains("INVALID");
    }

    @Test
    void serialsStayUniqueAndNoneIsHandedOutAgain() {
        Set<String> issuedHere = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            issuedHere.add(issue(restored, "unique-" + i).serial().toUpperCase());
        }
        assertThat(issuedHere).hasSize(10).doesNotContain(after.serial().toUpperCase(), before.serial().toUpperCase());
        List<String> all = new ArrayList<>();
        for (int page = 0; ; page++) {
            JsonNode result = restored.get("/api/v1/certificates?size=500&page=" + page, admin).json();
            result.get("items").forEach(item -> all.add(item.get("issuer").asString() + "/" + item.get("serial").asString().toUpperCase()));
            if (result.get("items").size() < 500) {
                break;
            }
        }
        assertThat(all).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(issuedHere.size() + 3);
    }

    @Test
    void opensslDecryptsTheArchiveAndItsManifestDescribesTheBackup() throws Exception {
        for (Path archive : List.of(older, other)) {
            JsonNode manifest = manifest(archive);
            assertThat(manifest.get("format").asString()).isEqualTo("certwright-backup");
            assertThat(manifest.get("formatVersion").asInt()).isEqualTo(1);
            assertThat(manifest.get("database").get("kind").asString()).isEqualTo(kind());
            assertThat(manifest.get("database").get("schemaVersion").asString()).isNotBlank();
            assertThat(manifest.get("caConfig").get("sha256").asString()).hasSize(64);
            assertThat(manifest.get("counts").get("certificates").asLong()).isGreaterThanOrEqualTo(3);
            assertThat(manifest.get("crlNumbers").has("dev-issuing")).isTrue();
            assertThat(manifest.get("auditHeads")).isNotEmpty();
            assertThat(Instant.parse(manifest.get("takenAt").asString())).isBefore(Instant.now());
            try (ZipFile zip = new ZipFile(work.resolve(archive.getFileName() + ".zip").toFile())) {
                assertThat(Collections.list(zip.entries()).stream().map(ZipEntry::getName)).containsExactly("manifest.json", "ca-keystore.p12",
                        "database/" + (kind().equals("h2") ? "h2.sql" : "postgresql.dump"), "SHA256SUMS");
            }
        }
        assertThat(manifest(older).get("mode").asString()).isEqualTo(olderMode());
        assertThat(manifest(other).get("mode").asString()).isNotEqualTo(olderMode());
        assertThat(restore.output()).contains("restored backup " + manifest(older).get("backupId").asString());
    }

    @Test
    void aWrongPassphraseADamagedArchiveOrSomeoneElsesFileIsOneSentenceAndTouchesNothing() throws Exception {
        TestDatabase scratch = database();
        try {
            Path dataDir = work.resolve("scratch");
            Map<String, String> wrong = environment();
            wrong.put("CERTWRIGHT_BACKUP_PASSPHRASE", "not the backup passphrase");
            expectRefused(cli(wrong, restoreArgs(older, dataDir, scratch)), "passphrase in CERTWRIGHT_BACKUP_PASSPHRASE does not open");

            byte[] bytes = Files.readAllBytes(older);
            byte[] flipped = bytes.clone();
            flipped[bytes.length / 2] ^= 0x01;
            expectRefused(cli(restoreArgs(Files.write(work.resolve("flipped.p7m"), flipped), dataDir, scratch)), "damaged");
            expectRefused(cli(restoreArgs(Files.write(work.resolve("cut.p7m"), java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3)), dataDir, scratch)),
                    "damaged or incomplete");
            expectRefused(cli(restoreArgs(Files.writeString(work.resolve("foreign.p7m"), rootPem), dataDir, scratch)), "is not a Certwright backup");

            assertThat(dataDir.resolve("db/certwright.mv.db")).doesNotExist();
            assertThat(dataDir.resolve("restore/pending.json")).doesNotExist();
            assertEmpty(scratch);
        } finally {
            scratch.close();
        }
    }

    @Test
    void aTargetThatHoldsADatabaseIsRefusedAndLeftAsItWas() {
        // The original node's own data directory and database.
        List<String> args = new ArrayList<>(List.of("restore", "--in", older.toString(), "--data-dir", work.resolve("original").toString()));
        args.addAll(settings(originalDatabase));
        Commands.Result refused = cli(args.toArray(String[]::new));
        assertThat(refused.exitCode()).as(refused.output()).isEqualTo(1);
        assertThat(refused.output().trim().lines()).hasSize(1);
        assertThat(refused.output()).containsAnyOf("already exists: restore builds a new node", "is not empty");
        assertThat(work.resolve("original/restore/pending.json")).doesNotExist();
    }

    // --- helpers ---

    /** {@code mode} in the manifest of {@link #older}. */
    abstract String olderMode();

    /** {@code h2} or {@code postgresql}. */
    abstract String kind();

    String[] restoreArgs(Path archive, Path dataDir, TestDatabase target) {
        List<String> args = new ArrayList<>(List.of("restore", "--in", archive.toString(), "--data-dir", dataDir.toString()));
        args.addAll(settings(target));
        return args.toArray(String[]::new);
    }

    /** A PostgreSQL database that a refused restore must leave without a table (nothing to check for H2's data directory). */
    static void assertEmpty(TestDatabase database) throws Exception {
        if (database instanceof TestDatabase.Postgres) {
            try (java.sql.Connection c = database.connect(); java.sql.ResultSet rs = c.createStatement().executeQuery(
                    "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = 'public'")) {
                rs.next();
                assertThat(rs.getLong(1)).isZero();
            }
        }
    }

    static void expectRefused(Commands.Result result, String words) {
        assertThat(result.exitCode()).as(result.output()).isEqualTo(1);
        assertThat(result.output().trim().lines()).as(result.output()).hasSize(1);
        assertThat(result.output()).startsWith("certwright restore: ").contains(words);
    }

    JsonNode manifest(Path archive) throws Exception {
        Path zip = work.resolve(archive.getFileName() + ".zip");
        if (!Files.exists(zip)) {
            Commands.Result decrypted = openssl.run("cms", "-decrypt", "-inform", "DER", "-in", archive.toString(), "-pwri_password", BACKUP_PASSPHRASE,
                    "-out", zip.toString());
            assertThat(decrypted.exitCode()).as(decrypted.output()).isZero();
            Path unpacked = Files.createDirectories(work.resolve(archive.getFileName() + ".unzipped"));
            Commands.Result sums = Commands.run(unpacked, "sh", "-c", "unzip -q " + zip + " && sha256sum -c SHA256SUMS");
            assertThat(sums.exitCode()).as(sums.output()).isZero();
        }
        try (ZipFile file = new ZipFile(zip.toFile())) {
            return Json.parse(new String(file.getInputStream(file.getEntry("manifest.json")).readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    JsonNode certificate(Issued issued) {
        Response response = restored.get("/api/v1/certificates/" + issued.serial(), admin);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    Issued issue(CertwrightProcess node, String name) {
        Response response = node.postJson("/api/v1/certificates", admin, Map.of("csr", openssl.csr("/CN=" + name + ".test", "subjectAltName=DNS:" + name
                + ".test"), "profile", "tls-server", "owner", "team-backup"));
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return new Issued(response.json().get("serial").asString(), openssl.write(name + "-" + UUID.randomUUID() + ".pem",
                response.json().get("certificatePem").asString()));
    }

    Response revoke(CertwrightProcess node, Issued issued) {
        return node.postJson("/api/v1/certificates/" + issued.serial() + "/revoke", admin, Map.of("reason", "keyCompromise"));
    }

    static X509CRL awaitCrl(CertwrightProcess node, String path, java.util.function.Predicate<X509CRL> condition) {
        return Awaitility.await(path + " reaching the expected state").atMost(PUBLISH_DELAY.plusSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    Binary response = node.plain("GET", path, null, null);
                    return response.status() == 200
                            ? (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(response.body()))
                            : null;
                }, crl -> crl != null && condition.test(crl));
    }

    /** The CRL number (RFC 5280 §5.2.3), read from its extension. */
    static long crlNumber(X509CRL crl) {
        try {
            byte[] value = crl.getExtensionValue(org.bouncycastle.asn1.x509.Extension.cRLNumber.getId());
            return org.bouncycastle.asn1.ASN1Integer.getInstance(org.bouncycastle.asn1.ASN1OctetString.getInstance(value).getOctets()).getValue()
                    .longValueExact();
        } catch (RuntimeException e) {
            throw new AssertionError("the CRL has no readable CRL number", e);
        }
    }

    static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
