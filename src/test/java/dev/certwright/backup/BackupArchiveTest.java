package dev.certwright.backup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.certwright.audit.Checkpoint;
import dev.certwright.backup.internal.BackupArchive;
import dev.certwright.backup.internal.BackupManifest;
import dev.certwright.support.Commands;

/**
 * The archive format of decision 69: CMS EnvelopedData to a passphrase (RFC 5652 §6.2.4, RFC 3211) around a ZIP with a
 * manifest, the dump and SHA256SUMS. openssl opens what we write, and every kind of bad archive (wrong passphrase, cut
 * anywhere, a flipped byte, someone else's file) is one sentence, never a stack trace or a half-read restore.
 */
class BackupArchiveTest {

    static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();

    @TempDir
    Path work;

    static BackupManifest manifest() {
        return new BackupManifest(1, "b-1", "test", Instant.parse("2026-12-01T10:00:00Z"), "offline", "h2", "H2 2.4", "24", "ca-config/dev.yml",
                "ab".repeat(32), Map.of("dev-issuing", 1764583200000L), Map.of("certificates", 3L),
                List.of(new Checkpoint.Head(0, 5, 5, "cd".repeat(32))));
    }

    /** An archive as BackupWriter makes one, with a dump of {@code dumpBytes} pseudo-random (barely compressible) bytes. */
    Path archive(String name, int dumpBytes) throws IOException {
        Path file = work.resolve(name);
        byte[] dump = new byte[dumpBytes];
        new SecureRandom().nextBytes(dump);
        try (OutputStream out = Files.newOutputStream(file); BackupArchive.Writer writer = BackupArchive.write(out, PASSPHRASE, new SecureRandom())) {
            writer.member(BackupArchive.MANIFEST, manifest().json());
            writer.member(BackupArchive.KEYSTORE, "not really a keystore".getBytes(StandardCharsets.UTF_8));
            writer.member("database/h2.sql", dump);
            writer.finish();
        }
        Files.write(work.resolve(name + ".dump"), dump);
        return file;
    }

    @Test
    void whatIsWrittenIsReadBackAndCheckedAgainstItsSums() throws Exception {
        Path file = archive("ok.p7m", 300_000);
        Path unpacked = Files.createDirectory(work.resolve("unpacked"));
        BackupArchive.Contents contents = BackupArchive.read(file, PASSPHRASE, unpacked);
        assertThat(BackupManifest.parse(contents.manifest(), "ok.p7m")).isEqualTo(manifest());
        assertThat(new String(contents.keystore(), StandardCharsets.UTF_8)).isEqualTo("not really a keystore");
        assertThat(contents.databaseMember()).isEqualTo("database/h2.sql");
        assertThat(Files.readAllBytes(contents.database())).isEqualTo(Files.readAllBytes(work.resolve("ok.p7m.dump")));
        assertThat(BackupArchive.read(file, PASSPHRASE, null).database()).as("checked without writing the dump").isNull();
    }

    @Test
    void opensslDecryptsItWithThePassphraseAndTheZipInsideHasTheMembersAndTheirSums() throws Exception {
        Path file = archive("openssl.p7m", 100_000);
        Commands.Result print = Commands.run(work, "openssl", "cms", "-cmsout", "-print", "-inform", "DER", "-in", file.toString());
        assertThat(print.exitCode()).as(print.output()).isZero();
        // RFC 3211: a PasswordRecipientInfo with PBKDF2 (HMAC-SHA256) and id-alg-PWRI-KEK over AES-256-CBC; content AES-256-CBC.
        assertThat(print.output()).contains("d.pwri:").contains("PBKDF2").contains("hmacWithSHA256").contains("id-alg-PWRI-KEK")
                .contains("aes-256-cbc").contains("pkcs7-envelopedData");
        Commands.Result decrypted = Commands.run(work, "openssl", "cms", "-decrypt", "-inform", "DER", "-in", file.toString(), "-pwri_password",
                new String(PASSPHRASE), "-out", "openssl.zip");
        assertThat(decrypted.exitCode()).as(decrypted.output()).isZero();
        try (ZipFile zip = new ZipFile(work.resolve("openssl.zip").toFile())) {
            assertThat(Collections.list(zip.entries()).stream().map(ZipEntry::getName)).containsExactly(BackupArchive.MANIFEST, BackupArchive.KEYSTORE,
                    "database/h2.sql", BackupArchive.SUMS);
            assertThat(zip.getInputStream(zip.getEntry("database/h2.sql")).readAllBytes()).isEqualTo(Files.readAllBytes(work.resolve("openssl.p7m.dump")));
        }
        Commands.Result unzip = Commands.run(work, "sh", "-c", "mkdir x && cd x && unzip -q ../openssl.zip && sha256sum -c SHA256SUMS");
        assertThat(unzip.exitCode()).as(unzip.output()).isZero();
        assertThat(unzip.output()).contains("database/h2.sql: OK");

        Commands.Result wrong = Commands.run(work, "openssl", "cms", "-decrypt", "-inform", "DER", "-in", file.toString(), "-pwri_password",
                "not the passphrase", "-out", "wrong.zip");
        assertThat(wrong.exitCode()).isNotZero();
    }

    @Test
    void aWrongPassphraseIsOneSentence() throws Exception {
        Path file = archive("wrong.p7m", 1000);
        assertThatThrownBy(() -> BackupArchive.read(file, "another passphrase".toCharArray(), null)).isInstanceOf(BackupException.class)
                .hasMessageContaining("passphrase").hasMessageContaining("does not open");
    }

    @ParameterizedTest(name = "cut to {0} per mille")
    @ValueSource(ints = {2, 100, 500, 900, 990, 999})
    void aCutArchiveIsRefused(int perMille) throws Exception {
        Path file = archive("cut.p7m", 200_000);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = Files.write(work.resolve("cut-" + perMille + ".p7m"), Arrays.copyOf(bytes, (int) ((long) bytes.length * perMille / 1000)));
        assertThatThrownBy(() -> BackupArchive.read(cut, PASSPHRASE, Files.createDirectory(work.resolve("u" + perMille))))
                .isInstanceOf(BackupException.class).satisfies(e -> assertThat(e.getMessage()).containsAnyOf("damaged or incomplete",
                        "not a Certwright backup", "does not open"));
    }

    @Test
    void theLastBytesCutOffAreFound() throws Exception {
        Path file = archive("end.p7m", 50_000);
        byte[] bytes = Files.readAllBytes(file);
        for (int missing : new int[] {1, 2, 16, 17, 40}) {
            Path cut = Files.write(work.resolve("end-" + missing + ".p7m"), Arrays.copyOf(bytes, bytes.length - missing));
            assertThatThrownBy(() -> BackupArchive.read(cut, PASSPHRASE, null)).as("%d bytes missing", missing).isInstanceOf(BackupException.class)
                    .hasMessageContaining("damaged or incomplete");
        }
    }

    /**
     * A flipped byte garbles two CBC blocks of the ZIP: inside a member the CRC-32 or the SHA-256 sums find it. (The ZIP's
     * central directory, the last few hundred bytes, is not read by a restore, which takes each member as it comes and
     * checks it; damage there leaves what is restored intact, and unzip reports it.)
     */
    @Test
    void aFlippedByteInAMemberIsFound() throws Exception {
        Path file = archive("flipped.p7m", 200_000);
        byte[] bytes = Files.readAllBytes(file);
        for (int at : new int[] {600, bytes.length / 3, bytes.length / 2, bytes.length - 2000}) {
            byte[] damaged = bytes.clone();
            damaged[at] ^= 0x20;
            Path copy = Files.write(work.resolve("flipped-" + at + ".p7m"), damaged);
            assertThatThrownBy(() -> BackupArchive.read(copy, PASSPHRASE, null)).isInstanceOf(BackupException.class)
                    .satisfies(e -> assertThat(e.getMessage()).containsAnyOf("damaged", "not a Certwright backup"));
        }
    }

    @Test
    void someoneElsesFileIsNotABackup() throws Exception {
        Path random = work.resolve("random.bin");
        byte[] noise = new byte[4096];
        new SecureRandom().nextBytes(noise);
        Files.write(random, noise);
        assertThatThrownBy(() -> BackupArchive.read(random, PASSPHRASE, null)).isInstanceOf(BackupException.class)
                .hasMessageContaining("is not a Certwright backup");
        Path pem = Files.writeString(work.resolve("root.pem"), "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> BackupArchive.read(pem, PASSPHRASE, null)).isInstanceOf(BackupException.class)
                .hasMessageContaining("is not a Certwright backup");

        // Encrypted to the same passphrase by openssl, but not one of ours inside.
        Path text = Files.writeString(work.resolve("notes.txt"), "just some notes\n");
        Commands.Result encrypted = Commands.run(work, "openssl", "cms", "-encrypt", "-pwri_password", new String(PASSPHRASE), "-aes-256-cbc",
                "-outform", "DER", "-in", text.toString(), "-out", "notes.p7m");
        assertThat(encrypted.exitCode()).as(encrypted.output()).isZero();
        assertThatThrownBy(() -> BackupArchive.read(work.resolve("notes.p7m"), PASSPHRASE, null)).isInstanceOf(BackupException.class)
                .hasMessageContaining("not a Certwright backup");
    }

    @Test
    void aZipWithAnUnexpectedMemberIsRefused() throws Exception {
        Path file = work.resolve("extra.p7m");
        try (OutputStream out = Files.newOutputStream(file); BackupArchive.Writer writer = BackupArchive.write(out, PASSPHRASE, new SecureRandom())) {
            writer.member(BackupArchive.MANIFEST, manifest().json());
            writer.member("../../etc/passwd", "x".getBytes(StandardCharsets.UTF_8));
            writer.finish();
        }
        assertThatThrownBy(() -> BackupArchive.read(file, PASSPHRASE, null)).isInstanceOf(BackupException.class)
                .hasMessageContaining("not a Certwright backup").hasMessageContaining("../../etc/passwd");
    }

    @Test
    void aManifestOfANewerFormatIsRefusedNamingTheVersionThatMadeIt() {
        String newer = new String(manifest().json(), StandardCharsets.UTF_8).replace("\"formatVersion\" : 1", "\"formatVersion\" : 2");
        assertThat(newer).contains("\"formatVersion\" : 2");
        assertThatThrownBy(() -> BackupManifest.parse(newer.getBytes(StandardCharsets.UTF_8), "new.p7m")).isInstanceOf(BackupException.class)
                .hasMessageContaining("format 2").hasMessageContaining("reads format 1");
    }

    /** A plain ZIP (no CMS) is refused before anything is unpacked. */
    @Test
    void anUnencryptedZipIsNotABackup() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry(BackupArchive.MANIFEST));
            zip.write(manifest().json());
            zip.closeEntry();
        }
        Path file = Files.write(work.resolve("plain.zip"), bytes.toByteArray());
        assertThatThrownBy(() -> BackupArchive.read(file, PASSPHRASE, null)).isInstanceOf(BackupException.class)
                .hasMessageContaining("not CMS EnvelopedData");
    }
}
