package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each upload format, made at run time by the tool that really produces it (openssl, keytool). */
class CertificateBundlesTest {

    static final CertificateBundles.Limits LIMITS = CertificateBundles.Limits.DEFAULT;
    static KeyPair rootKey;
    static KeyPair leafKey;
    static X509Certificate root;
    static X509Certificate leaf;

    @TempDir
    static Path dir;

    @BeforeAll
    static void certificates() throws Exception {
        rootKey = TestCertificates.ecKey();
        leafKey = TestCertificates.ecKey();
        root = TestCertificates.certificate("CN=Bundle Root", rootKey.getPublic(), "CN=Bundle Root", rootKey.getPrivate(), true, null, BigInteger.ONE);
        leaf = TestCertificates.certificate("CN=leaf.example", leafKey.getPublic(), "CN=Bundle Root", rootKey.getPrivate(), false, null, BigInteger.TWO);
        Files.writeString(dir.resolve("chain.pem"), Pem.encodeChain(List.of(leaf, root)));
        Files.writeString(dir.resolve("leaf.key"), Pem.encode(Pem.PRIVATE_KEY, leafKey.getPrivate().getEncoded()));
    }

    static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @Test
    void aPemBundleYieldsEveryCertificateAndCountsTheKeyWithoutReturningIt() throws Exception {
        byte[] data = (Files.readString(dir.resolve("chain.pem")) + Files.readString(dir.resolve("leaf.key"))).getBytes(StandardCharsets.US_ASCII);
        var contents = CertificateBundles.read("bundle.pem", data, null, LIMITS);
        assertThat(contents.certificates()).extracting(CertificateBundles.Found::certificate).containsExactly(leaf, root);
        assertThat(contents.certificates()).extracting(CertificateBundles.Found::item).containsExactly("bundle.pem#0", "bundle.pem#1");
        assertThat(contents.keysIgnored()).isEqualTo(1);
        assertThat(contents.rejected()).isEmpty();
    }

    @Test
    void oneDerCertificateIsRead() throws Exception {
        var contents = CertificateBundles.read("leaf.der", leaf.getEncoded(), null, LIMITS);
        assertThat(contents.certificates()).extracting(CertificateBundles.Found::certificate).containsExactly(leaf);
    }

    @Test
    void truncatedDerIsRejectedNotThrown() throws Exception {
        byte[] der = leaf.getEncoded();
        var contents = CertificateBundles.read("cut.der", java.util.Arrays.copyOf(der, der.length / 2), null, LIMITS);
        assertThat(contents.certificates()).isEmpty();
        assertThat(contents.rejected()).singleElement().satisfies(r -> assertThat(r.item()).isEqualTo("cut.der"));
    }

    @Test
    void opensslPkcs7InDerAndPemYieldsTheChain() throws Exception {
        run("openssl", "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-outform", "DER", "-out", "chain.p7b");
        run("openssl", "crl2pkcs7", "-nocrl", "-certfile", "chain.pem", "-out", "chain.p7c");
        for (String file : List.of("chain.p7b", "chain.p7c")) {
            var contents = CertificateBundles.read(file, Files.readAllBytes(dir.resolve(file)), null, LIMITS);
            assertThat(contents.certificates()).extracting(CertificateBundles.Found::certificate).as(file).containsExactlyInAnyOrder(leaf, root);
            assertThat(contents.rejected()).isEmpty();
        }
    }

    @Test
    void opensslPkcs12OpensWithItsPasswordAndRefusesAWrongOne() throws Exception {
        run("openssl", "pkcs12", "-export", "-in", "chain.pem", "-inkey", "leaf.key", "-passout", "pass:s3cret", "-out", "leaf.p12");
        byte[] p12 = Files.readAllBytes(dir.resolve("leaf.p12"));
        var contents = CertificateBundles.read("leaf.p12", p12, "s3cret".toCharArray(), LIMITS);
        assertThat(contents.certificates()).extracting(CertificateBundles.Found::certificate).contains(leaf, root);
        assertThat(contents.keysIgnored()).isEqualTo(1);
        var wrong = CertificateBundles.read("leaf.p12", p12, "wrong".toCharArray(), LIMITS);
        assertThat(wrong.certificates()).isEmpty();
        assertThat(wrong.rejected()).singleElement().satisfies(r -> assertThat(r.reason()).doesNotContain("s3cret", "wrong".repeat(2)));
    }

    @Test
    void keytoolJksYieldsItsTrustedCertificate() throws Exception {
        Files.write(dir.resolve("root.der"), root.getEncoded());
        run("keytool", "-importcert", "-noprompt", "-storetype", "JKS", "-keystore", "trust.jks", "-storepass", "changeit", "-alias", "root", "-file", "root.der");
        var contents = CertificateBundles.read("trust.jks", Files.readAllBytes(dir.resolve("trust.jks")), "changeit".toCharArray(), LIMITS);
        assertThat(contents.certificates()).extracting(CertificateBundles.Found::certificate).containsExactly(root);
    }

    @Test
    void aZipIsReadOneLevelDeepAndRefusesTraversalNames() throws Exception {
        byte[] inner = zip("a.pem", Pem.encode(leaf).getBytes(StandardCharsets.US_ASCII));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, "certs/root.der", root.getEncoded());
            put(zip, "../../etc/evil.pem", Pem.encode(leaf).getBytes(StandardCharsets.US_ASCII));
            put(zip, "inner.zip", inner);
        }
        var contents = CertificateBundles.read("up.zip", out.toByteArray(), null, LIMITS);
        assertThat(contents.certificates()).extracting(CertificateBundles.Found::item).containsExactly("up.zip!certs/root.der");
        assertThat(contents.rejected()).extracting(CertificateBundles.Rejected::reason).containsExactly("unsafe entry name",
                "nested archive: archives are read one level deep");
    }

    @Test
    void aZipBombStopsAtTheUncompressedBound() throws Exception {
        byte[] zeros = new byte[4 * 1024 * 1024];
        byte[] bomb = zip("zeros.pem", zeros);
        assertThat(bomb.length).isLessThan(64 * 1024);
        assertThatThrownBy(() -> CertificateBundles.read("bomb.zip", bomb, null, new CertificateBundles.Limits(1024 * 1024, 100, 100)))
                .isInstanceOf(CertificateBundles.LimitExceeded.class).hasMessageContaining("expands to more than");
    }

    @Test
    void tooManyCertificatesIsRefused() {
        byte[] pem = (Pem.encode(leaf) + Pem.encode(root) + Pem.encode(leaf)).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> CertificateBundles.read("many.pem", pem, null, new CertificateBundles.Limits(1 << 20, 10, 2)))
                .isInstanceOf(CertificateBundles.LimitExceeded.class).hasMessageContaining("more than 2 certificates");
    }

    @Test
    void aTarGzMadeByTarIsReadOneLevelDeepWithTheSameRefusals() throws Exception {
        Path tree = Files.createDirectories(dir.resolve("tree/certs"));
        Files.write(tree.resolve("root.der"), root.getEncoded());
        Files.writeString(tree.resolve("leaf.pem"), Pem.encode(leaf));
        Files.write(tree.resolve("inner.zip"), zip("a.pem", Pem.encode(leaf).getBytes(StandardCharsets.US_ASCII)));
        Files.createSymbolicLink(tree.resolve("link.pem"), Path.of("leaf.pem"));
        run("tar", "-czf", "up.tar.gz", "-C", "tree", "certs");
        run("tar", "-cf", "up.tar", "-C", "tree", "certs");
        for (String file : List.of("up.tar.gz", "up.tar")) {
            var contents = CertificateBundles.read(file, Files.readAllBytes(dir.resolve(file)), null, LIMITS);
            assertThat(contents.certificates()).as(file).extracting(CertificateBundles.Found::certificate).containsExactlyInAnyOrder(root, leaf);
            assertThat(contents.rejected()).as(file).extracting(CertificateBundles.Rejected::reason)
                    .containsExactlyInAnyOrder("nested archive: archives are read one level deep", "not a regular file (a link or device)");
        }
    }

    @Test
    void aTarEntryThatClimbsOutIsRejectedAndAGzippedPemIsRead() throws Exception {
        Files.writeString(dir.resolve("evil.pem"), Pem.encode(leaf));
        run("tar", "-czf", "evil.tar.gz", "-P", "--transform", "s,^,../../,", "evil.pem");
        var evil = CertificateBundles.read("evil.tar.gz", Files.readAllBytes(dir.resolve("evil.tar.gz")), null, LIMITS);
        assertThat(evil.certificates()).isEmpty();
        assertThat(evil.rejected()).extracting(CertificateBundles.Rejected::reason).containsExactly("unsafe entry name");

        run("gzip", "-k", "-f", "chain.pem");
        var gzipped = CertificateBundles.read("chain.pem.gz", Files.readAllBytes(dir.resolve("chain.pem.gz")), null, LIMITS);
        assertThat(gzipped.certificates()).extracting(CertificateBundles.Found::item).containsExactly("chain.pem#0", "chain.pem#1");
    }

    @Test
    void aGzipBombIsRefusedByItsExpansionRatioLongBeforeTheByteBound() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(new byte[8 * 1024 * 1024]);
        }
        assertThatThrownBy(() -> CertificateBundles.read("bomb.pem.gz", out.toByteArray(), null, LIMITS))
                .isInstanceOf(CertificateBundles.LimitExceeded.class).hasMessageContaining("times its size");
    }

    @Test
    void keptKeysComeBackOnlyWhenAskedAndAKeyOfAnEncryptedPkcs12OpensWithThePassword() throws Exception {
        run("openssl", "pkcs12", "-export", "-in", "chain.pem", "-inkey", "leaf.key", "-passout", "pass:s3cret", "-out", "kept.p12");
        var kept = CertificateBundles.stream("kept.p12", Files.readAllBytes(dir.resolve("kept.p12")), "s3cret".toCharArray(), LIMITS, true, f -> { });
        assertThat(kept.keptKeys()).singleElement().satisfies(k -> {
            assertThat(scalar(k.key())).isEqualTo(scalar(leafKey.getPrivate()));
            assertThat(k.toString()).doesNotContain(java.util.HexFormat.of().formatHex(leafKey.getPrivate().getEncoded()));
        });
        run("openssl", "pkcs8", "-topk8", "-in", "leaf.key", "-passout", "pass:s3cret", "-out", "leaf.enc.key");
        byte[] pem = (Files.readString(dir.resolve("chain.pem")) + Files.readString(dir.resolve("leaf.enc.key"))).getBytes(StandardCharsets.US_ASCII);
        var encrypted = CertificateBundles.stream("b.pem", pem, "s3cret".toCharArray(), LIMITS, true, f -> { });
        assertThat(encrypted.keptKeys()).extracting(k -> scalar(k.key())).containsExactly(scalar(leafKey.getPrivate()));
        var wrong = CertificateBundles.stream("b.pem", pem, "nope".toCharArray(), LIMITS, true, f -> { });
        assertThat(wrong.keptKeys()).isEmpty();
        assertThat(wrong.rejected()).extracting(CertificateBundles.Rejected::reason).containsExactly("wrong password for the private key");
        assertThat(CertificateBundles.stream("b.pem", pem, null, LIMITS, false, f -> { }).keptKeys()).isEmpty();
    }

    /** The EC private value: providers encode the same key with or without its optional parameters (RFC 5915). */
    static java.math.BigInteger scalar(java.security.PrivateKey key) {
        return ((java.security.interfaces.ECPrivateKey) key).getS();
    }

    static byte[] zip(String name, byte[] data) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            put(zip, name, data);
        }
        return out.toByteArray();
    }

    static void put(ZipOutputStream zip, String name, byte[] data) throws Exception {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }
}
