package dev.certwright.ca;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import javax.crypto.spec.PBEParameterSpec;

import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.pkcs.ContentInfo;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PBKDF2Params;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.pkcs.PKCS12PfxPdu;
import org.bouncycastle.pkcs.PKCS12SafeBag;
import org.bouncycastle.pkcs.PKCS12SafeBagFactory;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.support.Openssl;

/**
 * The CA keystore (decision 66): one PBKDF2 per open, and still a PKCS#12 that the JDK and openssl open with the
 * passphrase alone; keystores written before (a salt per entry) still open.
 */
class CaKeystoreTest {

    static final char[] PASSPHRASE = "correct horse battery staple".toCharArray();
    static final SecureRandom RANDOM = new SecureRandom();
    static final CaConfiguration MIXED = CaConfigLoader.parse("mixed.yml", new ByteArrayInputStream("""
            issuers:
              rsa-root: {subject: "CN=RSA Root", keyAlgorithm: RSA-3072, validity: P3650D}
              ed-issuing: {parent: rsa-root, subject: "CN=Ed25519 Issuing", keyAlgorithm: Ed25519, validity: P365D, pathLength: 0}
              p384-issuing: {parent: rsa-root, subject: "CN=P-384 Issuing", keyAlgorithm: EC-P384, validity: P365D, pathLength: 0}
              p256-issuing: {parent: rsa-root, subject: "CN=P-256 Issuing", keyAlgorithm: EC-P256, validity: P365D, pathLength: 0}
            profiles:
              ed: {issuer: ed-issuing, extendedKeyUsages: [serverAuth], maxValidity: P30D}
            policy:
              dnsNames: ["*.test"]
              keyAlgorithms: [EC-P256]
            """.getBytes(StandardCharsets.UTF_8)));

    static CaKeystore.Contents made;
    static byte[] bytes;

    @BeforeAll
    static void create() {
        CaKeystore keystore = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test").createKeystore(MIXED, PASSPHRASE);
        made = keystore.open(PASSPHRASE);
        bytes = keystore.bytes();
    }

    @Test
    void reopensEveryKeyWithOneDerivation() {
        CaKeystore.Contents opened = CaKeystore.of(bytes).open(PASSPHRASE);
        assertThat(opened.derivations()).isEqualTo(1);
        assertSame(opened, made);
        assertThat(List.copyOf(opened.issuers().keySet())).as("parents first").startsWith("rsa-root");
    }

    @Test
    void theJdkOpensItWithThePassphraseAlone() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(new ByteArrayInputStream(bytes), PASSPHRASE);
        for (Issuer issuer : made.issuers().values()) {
            KeyStore.PrivateKeyEntry entry = (KeyStore.PrivateKeyEntry) store.getEntry(issuer.name(), new KeyStore.PasswordProtection(PASSPHRASE));
            assertThat(entry.getPrivateKey().getEncoded()).isEqualTo(issuer.key().getEncoded());
            assertThat(entry.getCertificateChain()).containsExactly(issuer.chain().toArray(Certificate[]::new));
        }
        KeyStore.SecretKeyEntry kek = (KeyStore.SecretKeyEntry) store.getEntry(CaKeystore.KEK_ALIAS, new KeyStore.PasswordProtection(PASSPHRASE));
        assertThat(kek.getSecretKey().getEncoded()).isEqualTo(made.kek().getEncoded());
    }

    @Test
    void opensslOpensItWithThePassphraseAlone(@TempDir Path work) {
        Openssl openssl = new Openssl(work);
        openssl.write("ca.p12", bytes);
        openssl.write("pass", new String(PASSPHRASE));
        var result = openssl.run("pkcs12", "-in", "ca.p12", "-passin", "file:pass", "-nodes", "-nocerts");
        result.assertSuccess();
        // Four issuer keys; the secret-key entry (the KEK) is a bag openssl does not print.
        assertThat(result.output().split("-----BEGIN PRIVATE KEY-----", -1)).hasSize(made.issuers().size() + 1);
    }

    @Test
    void everyEntrySharesTheSaltAndHasItsOwnIv() throws Exception {
        List<byte[]> salts = new ArrayList<>();
        List<String> ivs = new ArrayList<>();
        for (ContentInfo info : new PKCS12PfxPdu(bytes).getContentInfos()) {
            if (!PKCSObjectIdentifiers.data.equals(info.getContentType())) {
                continue;
            }
            for (PKCS12SafeBag bag : new PKCS12SafeBagFactory(info).getSafeBags()) {
                if (bag.getBagValue() instanceof PKCS8EncryptedPrivateKeyInfo key) {
                    PBES2Parameters pbes2 = PBES2Parameters.getInstance(key.getEncryptionAlgorithm().getParameters());
                    PBKDF2Params kdf = PBKDF2Params.getInstance(pbes2.getKeyDerivationFunc().getParameters());
                    assertThat(kdf.getIterationCount().intValue()).isEqualTo(CaKeystore.PBKDF2_ITERATIONS);
                    salts.add(kdf.getSalt());
                    ivs.add(java.util.HexFormat.of().formatHex(ASN1OctetString.getInstance(pbes2.getEncryptionScheme().getParameters()).getOctets()));
                }
            }
        }
        assertThat(salts).hasSize(made.issuers().size());
        assertThat(salts).allSatisfy(salt -> assertThat(salt).hasSize(16).isEqualTo(salts.getFirst()));
        assertThat(ivs).doesNotHaveDuplicates();
    }

    @Test
    void aKeystoreWithASaltPerEntryStillOpens() throws Exception {
        // The format before decision 66, written the way the JDK writes it: each entry its own random salt.
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        for (Issuer issuer : made.issuers().values()) {
            store.setEntry(issuer.name(), new KeyStore.PrivateKeyEntry(issuer.key(), issuer.chain().toArray(Certificate[]::new)), oldProtection());
        }
        store.setEntry(CaKeystore.KEK_ALIAS, new KeyStore.SecretKeyEntry(made.kek()), oldProtection());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        store.store(out, PASSPHRASE);
        CaKeystore.Contents opened = CaKeystore.of(out.toByteArray()).open(PASSPHRASE);
        assertThat(opened.derivations()).isEqualTo(made.issuers().size() + 1);
        assertSame(opened, made);
    }

    @Test
    void aWrongPassphraseOrADamagedEntryIsRefused() {
        assertThatThrownBy(() -> CaKeystore.of(bytes).open("wrong passphrase".toCharArray()))
                .isInstanceOf(CaException.class).hasMessageContaining("passphrase");
        byte[] damaged = bytes.clone();
        damaged[damaged.length / 2] ^= 1;
        assertThatThrownBy(() -> CaKeystore.of(damaged).open(PASSPHRASE)).isInstanceOf(CaException.class);
    }

    @Test
    void aKekAddedLeavesEveryOtherEntryAsItWasStored(@TempDir Path work) throws Exception {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        javax.crypto.SecretKey second = new javax.crypto.spec.SecretKeySpec(raw, "AES");
        CaKeystore rotated = CaKeystore.of(bytes).withSecretKey("kek-2", second, PASSPHRASE, RANDOM);

        // The issuer keys and kek-1 are the same encrypted bags, byte for byte: nothing was decrypted and written again.
        Map<String, byte[]> before = encryptedBags(bytes);
        Map<String, byte[]> after = encryptedBags(rotated.bytes());
        assertThat(after.keySet()).containsAll(before.keySet()).contains("kek-2").hasSize(before.size() + 1);
        before.forEach((alias, bag) -> assertThat(after.get(alias)).as(alias).isEqualTo(bag));

        CaKeystore.Contents opened = CaKeystore.of(rotated.bytes()).open(PASSPHRASE);
        assertThat(opened.derivations()).as("the new entry shares the salt: still one PBKDF2").isEqualTo(1);
        assertSame(opened, made);
        assertThat(opened.secretKeys().keySet()).containsExactlyInAnyOrder("kek-1", "kek-2");
        assertThat(opened.secretKeys().get("kek-2").getEncoded()).isEqualTo(second.getEncoded());
        assertThat(CaKeystore.of(rotated.bytes()).keyEncryptionKeys(PASSPHRASE).get("kek-1").getEncoded()).isEqualTo(made.kek().getEncoded());

        Openssl openssl = new Openssl(work);
        openssl.write("rotated.p12", rotated.bytes());
        openssl.write("pass", new String(PASSPHRASE));
        assertThat(openssl.run("pkcs12", "-in", "rotated.p12", "-passin", "file:pass", "-nodes", "-nocerts").assertSuccess().output()
                .split("-----BEGIN PRIVATE KEY-----", -1)).hasSize(made.issuers().size() + 1);

        assertThatThrownBy(() -> rotated.withSecretKey("kek-2", second, PASSPHRASE, RANDOM)).isInstanceOf(CaException.class)
                .hasMessageContaining("kek-2");
        assertThatThrownBy(() -> CaKeystore.of(bytes).withSecretKey("kek-2", second, "wrong passphrase".toCharArray(), RANDOM))
                .isInstanceOf(CaException.class).hasMessageContaining("passphrase");
    }

    @Test
    void aKeystoreOpenedOnceHandsOutItsKeksWithoutASecondDerivationButStillChecksThePassphrase() {
        CaKeystore keystore = CaKeystore.of(bytes);
        CaKeystore.Contents first = keystore.open(PASSPHRASE);
        assertThat(keystore.keyEncryptionKeys(PASSPHRASE)).isSameAs(first.secretKeys());
        assertThatThrownBy(() -> keystore.keyEncryptionKeys("wrong passphrase".toCharArray())).isInstanceOf(CaException.class);
    }

    /** The encrypted key bags (issuer keys and secret keys), by friendly name, as stored. */
    private static Map<String, byte[]> encryptedBags(byte[] pkcs12) throws Exception {
        Map<String, byte[]> bags = new java.util.TreeMap<>();
        for (ContentInfo info : new PKCS12PfxPdu(pkcs12).getContentInfos()) {
            if (!PKCSObjectIdentifiers.data.equals(info.getContentType())) {
                continue;
            }
            for (PKCS12SafeBag bag : new PKCS12SafeBagFactory(info).getSafeBags()) {
                String name = null;
                for (org.bouncycastle.asn1.pkcs.Attribute attribute : bag.getAttributes()) {
                    if (PKCSObjectIdentifiers.pkcs_9_at_friendlyName.equals(attribute.getAttrType())) {
                        name = ((org.bouncycastle.asn1.ASN1String) attribute.getAttrValues().getObjectAt(0)).getString();
                    }
                }
                bags.put(name, bag.getBagValue() instanceof PKCS8EncryptedPrivateKeyInfo key ? key.getEncoded()
                        : ((org.bouncycastle.asn1.ASN1Encodable) bag.getBagValue()).toASN1Primitive().getEncoded());
            }
        }
        return bags;
    }

    private static KeyStore.PasswordProtection oldProtection() {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new KeyStore.PasswordProtection(PASSPHRASE, "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(salt, CaKeystore.PBKDF2_ITERATIONS));
    }

    private static void assertSame(CaKeystore.Contents opened, CaKeystore.Contents expected) {
        assertThat(opened.issuers().keySet()).containsExactlyInAnyOrderElementsOf(expected.issuers().keySet());
        for (Map.Entry<String, Issuer> issuer : expected.issuers().entrySet()) {
            Issuer other = opened.issuers().get(issuer.getKey());
            assertThat(other.key().getAlgorithm()).isEqualTo(issuer.getValue().key().getAlgorithm());
            assertThat(other.key().getEncoded()).isEqualTo(issuer.getValue().key().getEncoded());
            assertThat(other.chain()).isEqualTo(issuer.getValue().chain());
        }
        assertThat(opened.kek().getEncoded()).isEqualTo(expected.kek().getEncoded());
    }
}
