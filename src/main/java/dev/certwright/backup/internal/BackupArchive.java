package dev.certwright.backup.internal;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import org.bouncycastle.cms.CMSAlgorithm;
import org.bouncycastle.cms.CMSEnvelopedDataParser;
import org.bouncycastle.cms.CMSEnvelopedDataStreamGenerator;
import org.bouncycastle.cms.CMSException;
import org.bouncycastle.cms.PasswordRecipient;
import org.bouncycastle.cms.PasswordRecipientInformation;
import org.bouncycastle.cms.RecipientInformation;
import org.bouncycastle.cms.jcajce.JceCMSContentEncryptorBuilder;
import org.bouncycastle.cms.jcajce.JcePasswordEnvelopedRecipient;
import org.bouncycastle.cms.jcajce.JcePasswordRecipientInfoGenerator;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.OutputEncryptor;

import dev.certwright.backup.BackupException;

/**
 * The backup archive (decision 69): a ZIP whose members are {@value #MANIFEST}, the CA keystore ({@value #KEYSTORE}, when
 * there is a CA), the database dump, and {@value #SUMS} (each member's SHA-256, in sha256sum's format), encrypted as one
 * CMS EnvelopedData (RFC 5652 §6) to a passphrase: a PasswordRecipientInfo (RFC 5652 §6.2.4, RFC 3211) whose key
 * derivation is PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) with a random 16-byte salt and {@value #ITERATIONS} iterations, and
 * whose key encryption is id-alg-PWRI-KEK with AES-256-CBC (RFC 3211 §2.3); the content is AES-256-CBC. All standard:
 * {@code openssl cms -decrypt -inform DER -pwri_password … -out backup.zip} opens it, and {@code unzip} and
 * {@code sha256sum -c SHA256SUMS} check it. Written and read as streams: the dump is never held in memory, nor on disk
 * unencrypted while a backup is made.
 * <p>
 * EnvelopedData is not authenticated encryption. What detects a damaged archive is the ZIP's CRC-32 per member, the
 * SHA-256 sums, and the final CBC padding; a forged archive needs the passphrase, which is then an operator's.
 */
public final class BackupArchive {

    public static final String MANIFEST = "manifest.json";
    public static final String KEYSTORE = "ca-keystore.p12";
    public static final String SUMS = "SHA256SUMS";
    /** As the CA keystore's PBKDF2 (decision 66): what protects a stolen archive against guessing. */
    static final int ITERATIONS = 600_000;
    private static final Set<String> MEMBERS = Set.of(MANIFEST, KEYSTORE, SUMS, DatabaseSettings.Kind.H2.member(),
            DatabaseSettings.Kind.POSTGRESQL.member());

    private BackupArchive() {
    }

    /** Bouncy Castle, made once for this class: the CMS operators are asked for it by instance, so nothing is registered. */
    private static final class Bc {
        static final Provider PROVIDER = new BouncyCastleProvider();
    }

    /** Starts an archive written to {@code out}, encrypted to {@code passphrase}. */
    public static Writer write(OutputStream out, char[] passphrase, SecureRandom random) throws IOException {
        byte[] salt = new byte[16];
        random.nextBytes(salt);
        CMSEnvelopedDataStreamGenerator generator = new CMSEnvelopedDataStreamGenerator();
        // RFC 3211 §2.2 and §2.3: PBKDF2 makes the key-encryption key, which wraps the content key with AES-256-CBC
        // (id-alg-PWRI-KEK). The passphrase is UTF-8, as openssl's -pwri_password hands it over.
        generator.addRecipientInfoGenerator(new JcePasswordRecipientInfoGenerator(CMSAlgorithm.AES256_CBC, passphrase).setProvider(Bc.PROVIDER)
                .setPasswordConversionScheme(PasswordRecipient.PKCS5_SCHEME2_UTF8).setPRF(PasswordRecipient.PRF.HMacSHA256)
                .setSaltAndIterationCount(salt, ITERATIONS).setSecureRandom(random));
        try {
            OutputEncryptor encryptor = new JceCMSContentEncryptorBuilder(CMSAlgorithm.AES256_CBC).setProvider(Bc.PROVIDER).setSecureRandom(random)
                    .build();
            return new Writer(generator.open(out, encryptor));
        } catch (CMSException e) {
            throw new IOException("cannot start the encrypted archive: " + e.getMessage(), e);
        }
    }

    /** An archive being written: members one after another, then {@link #finish()}. */
    public static final class Writer implements AutoCloseable {

        private final OutputStream encrypted;
        private final ZipOutputStream zip;
        private final Map<String, String> sums = new LinkedHashMap<>();
        private boolean finished;

        Writer(OutputStream encrypted) {
            this.encrypted = encrypted;
            this.zip = new ZipOutputStream(encrypted, StandardCharsets.UTF_8);
        }

        /** Writes a member from bytes. */
        public void member(String name, byte[] content) throws IOException {
            try (OutputStream out = member(name)) {
                out.write(content);
            }
        }

        /** Opens a member; close the stream before the next one. */
        public OutputStream member(String name) throws IOException {
            zip.putNextEntry(new ZipEntry(name));
            MessageDigest digest = sha256();
            return new FilterOutputStream(new DigestOutputStream(zip, digest)) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                }

                @Override
                public void close() throws IOException {
                    flush();
                    zip.closeEntry();
                    sums.put(name, HexFormat.of().formatHex(digest.digest()));
                }
            };
        }

        /** Writes {@value #SUMS} and ends the ZIP and the CMS structure (the last CBC block and the end-of-contents octets). */
        public void finish() throws IOException {
            StringBuilder text = new StringBuilder();
            sums.forEach((name, sum) -> text.append(sum).append("  ").append(name).append('\n'));
            zip.putNextEntry(new ZipEntry(SUMS));
            zip.write(text.toString().getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.finish();
            encrypted.close();
            finished = true;
        }

        /** Closes without finishing: what was written is an incomplete archive, which a restore refuses. */
        @Override
        public void close() throws IOException {
            if (!finished) {
                encrypted.close();
            }
        }
    }

    /**
     * What an archive held: the manifest's and the keystore's bytes, and where the database dump was written.
     *
     * @param keystore the CA keystore, or null when the backup had none
     */
    public record Contents(byte[] manifest, byte[] keystore, String databaseMember, Path database) {
    }

    /**
     * Decrypts and unpacks an archive, writing the database dump into {@code work} (a private directory; null only checks
     * it, writing nothing), and checks every member against {@value #SUMS}. Every way it can fail is a
     * {@link BackupException} with one sentence.
     */
    public static Contents read(Path archive, char[] passphrase, Path work) {
        if (!Files.isRegularFile(archive)) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, archive + " is not a file");
        }
        try (InputStream file = new BufferedInputStream(Files.newInputStream(archive), 1 << 16)) {
            return read(file, passphrase, work, archive.toString());
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "cannot read " + archive + ": " + e.getMessage(), e);
        }
    }

    static Contents read(InputStream in, char[] passphrase, Path work, String name) {
        RecipientInformation recipient;
        try {
            CMSEnvelopedDataParser parser = new CMSEnvelopedDataParser(in);
            recipient = parser.getRecipientInfos().getRecipients().stream().filter(PasswordRecipientInformation.class::isInstance).findFirst()
                    .orElseThrow(() -> new BackupException(BackupException.Type.BAD_ARCHIVE,
                            name + " is not a Certwright backup: it is encrypted, but not to a passphrase (RFC 3211)"));
        } catch (CMSException | IOException | RuntimeException e) {
            if (e instanceof BackupException backup) {
                throw backup;
            }
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (not CMS EnvelopedData, RFC 5652)", e);
        }
        InputStream content;
        try {
            content = recipient.getContentStream(new JcePasswordEnvelopedRecipient(passphrase).setProvider(Bc.PROVIDER)
                    .setPasswordConversionScheme(PasswordRecipient.PKCS5_SCHEME2_UTF8)).getContentStream();
        } catch (CMSException | IOException | RuntimeException e) {
            // RFC 3211 §2.3.2: the unwrapped key's check bytes do not match, which is what a wrong passphrase gives.
            throw new BackupException(BackupException.Type.BAD_ARCHIVE,
                    "the passphrase in CERTWRIGHT_BACKUP_PASSPHRASE does not open " + name + " (or it is damaged where its key is)", e);
        }
        try {
            return unpack(content, work, name);
        } catch (ZipException | EOFException e) {
            throw damaged(name, e);
        } catch (IOException e) {
            // The CMS layer: bad padding or structure at the end (BC's InvalidCipherTextIOException), or a cut stream.
            throw damaged(name, e);
        }
    }

    private static BackupException damaged(String name, Exception e) {
        return new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is damaged or incomplete (" + brief(e) + ")", e);
    }

    private static String brief(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > 120 ? message.substring(0, 120) + "…" : message;
    }

    private static Contents unpack(InputStream content, Path work, String name) throws IOException {
        byte[] manifest = null;
        byte[] keystore = null;
        byte[] sums = null;
        String databaseMember = null;
        Path database = null;
        Map<String, String> digests = new LinkedHashMap<>();
        ZipInputStream zip = new ZipInputStream(content, StandardCharsets.UTF_8);
        ZipEntry entry;
        while ((entry = zip.getNextEntry()) != null) {
            String member = entry.getName();
            if (!MEMBERS.contains(member) || digests.containsKey(member) || (member.equals(SUMS) && sums != null)) {
                throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (it holds '" + printable(member) + "')");
            }
            if (sums != null) {
                throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (a member after " + SUMS + ")");
            }
            if (member.equals(SUMS)) {
                sums = zip.readNBytes(1 << 20);
                continue;
            }
            MessageDigest digest = sha256();
            if (member.startsWith("database/")) {
                if (databaseMember != null) {
                    throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (two database dumps)");
                }
                databaseMember = member;
                OutputStream target = OutputStream.nullOutputStream();
                if (work != null) {
                    database = work.resolve(member.substring("database/".length()));
                    Files.createFile(database, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                    target = Files.newOutputStream(database, StandardOpenOption.WRITE);
                }
                try (OutputStream out = target) {
                    byte[] buffer = new byte[1 << 16];
                    int read;
                    while ((read = zip.read(buffer)) > 0) {
                        digest.update(buffer, 0, read);
                        out.write(buffer, 0, read);
                    }
                }
            } else {
                // The manifest and the keystore are small; a member of more than a megabyte is not ours.
                byte[] bytes = zip.readNBytes(1 << 20);
                if (zip.read() != -1) {
                    throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (" + member + " is too large)");
                }
                digest.update(bytes);
                if (member.equals(MANIFEST)) {
                    manifest = bytes;
                } else {
                    keystore = bytes;
                }
            }
            digests.put(member, HexFormat.of().formatHex(digest.digest()));
        }
        // The rest of the content (the ZIP's central directory) is read to its end, so that the CMS layer checks the
        // final block's padding and the end of its structure: a cut archive fails here at the latest.
        content.transferTo(OutputStream.nullOutputStream());
        if (manifest == null) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is not a Certwright backup (it has no " + MANIFEST + ")");
        }
        if (sums == null || databaseMember == null) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is damaged or incomplete (it ends before its "
                    + (databaseMember == null ? "database dump" : SUMS) + ")");
        }
        Map<String, String> listed = new LinkedHashMap<>();
        for (String line : new String(sums, StandardCharsets.UTF_8).split("\n")) {
            if (line.length() > 66 && line.charAt(64) == ' ' && line.charAt(65) == ' ') {
                listed.put(line.substring(66), line.substring(0, 64));
            }
        }
        if (!listed.equals(digests)) {
            throw new BackupException(BackupException.Type.BAD_ARCHIVE, name + " is damaged: its members do not match " + SUMS);
        }
        return new Contents(manifest, keystore, databaseMember, database);
    }

    private static String printable(String text) {
        String cut = text.length() > 60 ? text.substring(0, 60) + "…" : text;
        return cut.replaceAll("[^\\x20-\\x7e]", "?");
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A private directory (0700) for the unpacked dump, inside {@code parent}. */
    public static Path workDirectory(Path parent, String name) throws IOException {
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        return Files.createDirectory(parent.resolve(name), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
}
