package dev.certwright.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;

import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import org.junit.jupiter.api.Test;

import dev.certwright.keys.KeyException;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.keys.internal.KeyEncryptionKey;
import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.x509.KeySpec;

/**
 * Key wrapping and derived secrets. Data already stored was made with these formats and labels: the known-answer
 * cases below were computed outside Java (openssl) and must never change.
 */
class KeyHandlingTest {

    static final SecureRandom RANDOM = new SecureRandom();
    static final SecretKey FIXED_KEK = new SecretKeySpec(filled((byte) 1), "AES");
    static final SecretKey SECOND_KEK = new SecretKeySpec(filled((byte) 2), "AES");

    @Test
    void derivedSecretsKeepTheirLabels() {
        DerivedSecrets secrets = new DerivedSecrets(installed(FIXED_KEK));
        // printf 'certwright-derived:<purpose>:<context>' | openssl dgst -sha256 -mac HMAC -macopt hexkey:0101…01
        assertThat(hex(secrets.acmeNonceKey())).isEqualTo("ff4b5b4b0f96404b5710e1fe31d821629c2473f664ec8ba2df2243f48b9cc3e1");
        assertThat(hex(secrets.acmeEabKey("kid-1"))).isEqualTo("6e0a93ee97e6642c08b2e5a96edee0d3c50153bffbcf028916a77f602da9d8cf");
        assertThat(hex(secrets.auditChainKey())).isEqualTo("890ca061e338a1939546e1120ef149404ae027d560fea65632cdc67f4515e829");
        assertThat(hex(secrets.auditCheckpointSeed())).isEqualTo("ccec1ab8aea772c45dede523aac90c83f22dfe78a11fec811c5d5598daa87c88"
                + "60dad62f903c2417a206a5399d29326185527c0ae4b3529aaa49ffe2b7964d26");
    }

    @Test
    void nothingIsDerivedOrWrappedBeforeTheKekIsInstalled() {
        KeyEncryptionKey none = new KeyEncryptionKey();
        assertThat(new DerivedSecrets(none).available()).isFalse();
        assertThatThrownBy(() -> new DerivedSecrets(none).auditChainKey()).isInstanceOf(KeyException.class);
        KeyPair keys = KeySpec.EC_P256.generate(RANDOM);
        assertThatThrownBy(() -> new KeyWrapping(none, RANDOM).wrap(keys.getPrivate(), "x")).isInstanceOf(KeyException.class);
    }

    @Test
    void managedKeysWrapUnderTheKekAndAreBoundToTheirContext() {
        CaConfiguration config = CaConfigLoader.load(java.nio.file.Path.of("ca-config/dev.yml"));
        char[] passphrase = "correct horse battery staple".toCharArray();
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        KeyWrapping wrapping = new KeyWrapping(new KeyEncryptionKey(), RANDOM);
        wrapping.install(ca.install(ca.createKeystore(config, passphrase), passphrase, config));
        KeyPair keys = KeySpec.ED25519.generate(RANDOM);
        KeyWrapping.Wrapped wrapped = wrapping.wrap(keys.getPrivate(), "certificate-id:7");
        assertThat(wrapped.kekId()).isEqualTo("kek-1");
        assertThat(indexOf(wrapped.bytes(), keys.getPrivate().getEncoded())).as("no plaintext key in the wrapped bytes").isLessThan(0);
        assertThat(wrapping.unwrap("kek-1", wrapped.bytes(), "certificate-id:7").getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThatThrownBy(() -> wrapping.unwrap("kek-1", wrapped.bytes(), "certificate-id:8")).isInstanceOf(KeyException.class);
        byte[] tampered = wrapped.bytes().clone();
        tampered[tampered.length - 1] ^= 1;
        assertThatThrownBy(() -> wrapping.unwrap("kek-1", tampered, "certificate-id:7")).isInstanceOf(KeyException.class);
        assertThat(wrapping.currentKeyEncryptionKeyId()).isEqualTo("kek-1");
    }

    @Test
    void keysStoredInTheExistingFormatStillUnwrap() throws Exception {
        // The stored layout, built here by hand: version 1 | 12-byte IV | AES-256-GCM(PKCS#8) with a 128-bit tag,
        // AAD "certwright-managed-key:" + context.
        KeyPair keys = KeySpec.EC_P256.generate(RANDOM);
        byte[] iv = new byte[12];
        RANDOM.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, FIXED_KEK, new GCMParameterSpec(128, iv));
        cipher.updateAAD("certwright-managed-key:ssh-identity".getBytes(StandardCharsets.UTF_8));
        byte[] sealed = cipher.doFinal(keys.getPrivate().getEncoded());
        byte[] stored = ByteBuffer.allocate(1 + 12 + sealed.length).put((byte) 1).put(iv).put(sealed).array();
        KeyWrapping wrapping = new KeyWrapping(installed(FIXED_KEK), RANDOM);
        // The same key; its PKCS#8 encoding may differ by provider (optional curve parameters inside ECPrivateKey).
        assertThat(((java.security.interfaces.ECPrivateKey) wrapping.unwrap("kek-1", stored, "ssh-identity")).getS())
                .isEqualTo(((java.security.interfaces.ECPrivateKey) keys.getPrivate()).getS());
        byte[] rewrapped = wrapping.wrap(keys.getPrivate(), "ssh-identity").bytes();
        assertThat(rewrapped[0]).isEqualTo((byte) 1);
        assertThat(rewrapped).hasSize(stored.length);
    }

    @Test
    void afterARotationNewWrapsUseTheNewestKekAndOlderKeysStillUnwrap() {
        KeyEncryptionKey holder = installed(FIXED_KEK);
        KeyWrapping wrapping = new KeyWrapping(holder, RANDOM);
        KeyPair keys = KeySpec.EC_P256.generate(RANDOM);
        KeyWrapping.Wrapped old = wrapping.wrap(keys.getPrivate(), "certificate-id:9");

        wrapping.install(Map.of("kek-2", SECOND_KEK));
        KeyWrapping.Wrapped fresh = wrapping.wrap(keys.getPrivate(), "certificate-id:9");
        assertThat(fresh.kekId()).isEqualTo("kek-2");
        // The same key; its PKCS#8 encoding may differ by provider (optional curve parameters inside ECPrivateKey).
        assertThat(s(wrapping.unwrap("kek-1", old.bytes(), "certificate-id:9"))).isEqualTo(s(keys.getPrivate()));
        assertThat(s(wrapping.unwrap("kek-2", fresh.bytes(), "certificate-id:9"))).isEqualTo(s(keys.getPrivate()));
        assertThatThrownBy(() -> wrapping.unwrap("kek-2", old.bytes(), "certificate-id:9")).as("the row names the KEK that wrapped it")
                .isInstanceOf(KeyException.class);

        // Re-wrapping carries the PKCS#8 bytes over as they are, under a fresh IV, bound to the same context.
        KeyWrapping.Wrapped moved = wrapping.rewrap("kek-1", old.bytes(), "certificate-id:9");
        assertThat(moved.kekId()).isEqualTo("kek-2");
        assertThat(Arrays.copyOfRange(moved.bytes(), 1, 13)).isNotEqualTo(Arrays.copyOfRange(old.bytes(), 1, 13));
        assertThat(wrapping.unwrap("kek-2", moved.bytes(), "certificate-id:9").getEncoded())
                .isEqualTo(wrapping.unwrap("kek-1", old.bytes(), "certificate-id:9").getEncoded());
        assertThatThrownBy(() -> wrapping.unwrap("kek-2", moved.bytes(), "certificate-id:10")).isInstanceOf(KeyException.class);
        assertThatThrownBy(() -> wrapping.rewrap("kek-1", old.bytes(), "certificate-id:10")).isInstanceOf(KeyException.class);
        assertThatThrownBy(() -> wrapping.unwrap("kek-7", old.bytes(), "certificate-id:9")).isInstanceOf(KeyException.class)
                .hasMessageContaining("kek-7").hasMessageNotContaining(HexFormat.of().formatHex(FIXED_KEK.getEncoded()));
    }

    @Test
    void theDerivedSecretsComeFromTheFirstKekWhicheverIsCurrent() {
        KeyEncryptionKey holder = installed(FIXED_KEK);
        DerivedSecrets secrets = new DerivedSecrets(holder);
        String before = hex(secrets.auditChainKey()) + hex(secrets.acmeEabKey("kid-1")) + hex(secrets.acmeNonceKey()) + hex(secrets.auditCheckpointSeed());
        holder.install(Map.of("kek-2", SECOND_KEK, "kek-3", filledKey((byte) 3)));
        assertThat(holder.current().id()).isEqualTo("kek-3");
        assertThat(hex(secrets.auditChainKey()) + hex(secrets.acmeEabKey("kid-1")) + hex(secrets.acmeNonceKey()) + hex(secrets.auditCheckpointSeed()))
                .isEqualTo(before);
        assertThat(hex(secrets.auditChainKey())).isEqualTo("890ca061e338a1939546e1120ef149404ae027d560fea65632cdc67f4515e829");
    }

    @Test
    void installingKeksAddsToThoseHeldAndKeepsTheFirst() {
        KeyEncryptionKey holder = new KeyEncryptionKey();
        assertThatThrownBy(() -> holder.install(Map.of("kek-2", SECOND_KEK))).as("no first KEK").isInstanceOf(KeyException.class);
        assertThat(holder.installed()).isFalse();
        holder.install(Map.of("kek-1", FIXED_KEK, "kek-2", SECOND_KEK, "backup-note", filledKey((byte) 9)));
        assertThat(holder.ids()).containsExactlyInAnyOrder("kek-1", "kek-2");
        // A later install without kek-2 (a keystore read before the rotation) does not take it away, nor go back.
        holder.install(Map.of("kek-1", FIXED_KEK));
        assertThat(holder.ids()).containsExactlyInAnyOrder("kek-1", "kek-2");
        assertThat(holder.current().id()).isEqualTo("kek-2");
        assertThat(holder.current().toString()).doesNotContain(HexFormat.of().formatHex(SECOND_KEK.getEncoded()));
        // kek-10 sorts after kek-9 by number, not by text.
        holder.install(Map.of("kek-9", filledKey((byte) 4), "kek-10", filledKey((byte) 5)));
        assertThat(holder.current().id()).isEqualTo("kek-10");
    }

    @Test
    void aKekThisNodeLacksIsLoadedFromTheSourceAndEveryWrapAsksItFirst() {
        KeyEncryptionKey holder = installed(FIXED_KEK);
        KeyEncryptionKey elsewhere = installed(FIXED_KEK);
        elsewhere.install(Map.of("kek-2", SECOND_KEK));
        KeyPair keys = KeySpec.ED25519.generate(RANDOM);
        KeyWrapping.Wrapped onOtherNode = new KeyWrapping(elsewhere, RANDOM).wrap(keys.getPrivate(), "ssh-identity");
        java.util.concurrent.atomic.AtomicInteger beforeWrap = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refreshed = new java.util.concurrent.atomic.AtomicInteger();
        KeyEncryptionKeySource source = new KeyEncryptionKeySource() {
            @Override
            public void beforeWrap() {
                beforeWrap.incrementAndGet();
            }

            @Override
            public void refresh(String kekId) {
                assertThat(kekId).isEqualTo("kek-2");
                refreshed.incrementAndGet();
                holder.install(Map.of("kek-2", SECOND_KEK));
            }
        };
        var provider = new org.springframework.beans.factory.support.StaticListableBeanFactory(Map.of("source", source))
                .getBeanProvider(KeyEncryptionKeySource.class);
        KeyWrapping wrapping = new KeyWrapping(holder, RANDOM, provider);
        assertThat(wrapping.unwrap("kek-2", onOtherNode.bytes(), "ssh-identity").getEncoded()).isEqualTo(keys.getPrivate().getEncoded());
        assertThat(refreshed).hasValue(1);
        assertThat(wrapping.unwrap("kek-2", onOtherNode.bytes(), "ssh-identity")).isNotNull();
        assertThat(refreshed).as("a KEK held is not looked up again").hasValue(1);
        assertThat(wrapping.wrap(keys.getPrivate(), "ssh-identity").kekId()).isEqualTo("kek-2");
        assertThat(beforeWrap).hasValue(1);
    }

    private static java.math.BigInteger s(java.security.PrivateKey key) {
        return ((java.security.interfaces.ECPrivateKey) key).getS();
    }

    private static SecretKey filledKey(byte value) {
        return new SecretKeySpec(filled(value), "AES");
    }

    private static KeyEncryptionKey installed(SecretKey kek) {
        KeyEncryptionKey holder = new KeyEncryptionKey();
        holder.install(kek);
        return holder;
    }

    private static byte[] filled(byte value) {
        byte[] bytes = new byte[32];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
