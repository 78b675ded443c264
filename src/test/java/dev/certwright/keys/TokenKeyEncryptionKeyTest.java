package dev.certwright.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.Provider;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Map;

import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.keys.internal.KeyEncryptionKey;
import dev.certwright.support.SoftHsm;
import dev.certwright.support.SoftHsm.Token;
import dev.certwright.x509.KeySpec;

/**
 * A key-encryption key kept in a SoftHSM2 token ({@code keyStore.kek: token}), beside the keystore's: new wraps use the
 * newest, in the token; keys wrapped under the keystore's KEK still unwrap and re-wrap into the token byte for byte;
 * the derived secrets stay with the keystore's {@code kek-1}; and the token never holds {@code kek-1}.
 */
@ExtendWith(SoftHsm.class)
class TokenKeyEncryptionKeyTest {

    static final SecureRandom RANDOM = new SecureRandom();

    @Test
    void newWrapsUseTheTokenKekAndKeysUnderTheKeystoresMoveIntoIt(Token token) throws Exception {
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        ca.useToken(token.definition(), System::getenv);
        Provider provider = ca.tokenProvider().orElseThrow();
        SecretKey software = aesKey();
        KeyEncryptionKey holder = new KeyEncryptionKey();
        holder.install(software);
        KeyWrapping wrapping = new KeyWrapping(holder, RANDOM);
        DerivedSecrets secrets = new DerivedSecrets(holder);
        byte[] auditKey = secrets.auditChainKey();
        KeyPair before = KeySpec.EC_P256.generate(RANDOM);
        KeyWrapping.Wrapped underKeystore = wrapping.wrap(before.getPrivate(), "certificate:1");
        assertThat(underKeystore.kekId()).isEqualTo("kek-1");

        wrapping.installTokenKeys(Map.of("kek-2", ca.generateTokenKeyEncryptionKey("kek-2")), provider);

        assertThat(wrapping.currentKeyEncryptionKeyId()).isEqualTo("kek-2");
        assertThat(wrapping.inToken("kek-2")).isTrue();
        assertThat(wrapping.inToken("kek-1")).isFalse();
        KeyPair after = KeySpec.EC_P384.generate(RANDOM);
        KeyWrapping.Wrapped underToken = wrapping.wrap(after.getPrivate(), "certificate:2");
        assertThat(underToken.kekId()).isEqualTo("kek-2");
        assertThat(wrapping.unwrap("kek-2", underToken.bytes(), "certificate:2").getEncoded()).isEqualTo(after.getPrivate().getEncoded());
        assertThat(wrapping.unwrap("kek-1", underKeystore.bytes(), "certificate:1").getEncoded()).isEqualTo(before.getPrivate().getEncoded());
        // A rotation's re-wrap moves a keystore-wrapped key into the token, its PKCS#8 bytes unchanged.
        KeyWrapping.Wrapped moved = wrapping.rewrap("kek-1", underKeystore.bytes(), "certificate:1");
        assertThat(moved.kekId()).isEqualTo("kek-2");
        assertThat(moved.bytes()).isNotEqualTo(underKeystore.bytes()).hasSameSizeAs(underKeystore.bytes());
        assertThat(wrapping.unwrap("kek-2", moved.bytes(), "certificate:1").getEncoded()).isEqualTo(before.getPrivate().getEncoded());
        assertThatThrownBy(() -> wrapping.unwrap("kek-2", moved.bytes(), "certificate:9")).isInstanceOf(KeyException.class);
        // Another node, the token's KEK found by its label, unwraps what this one wrapped.
        CertificateAuthority otherNode = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        otherNode.useToken(token.definition(), System::getenv);
        KeyEncryptionKey otherHolder = new KeyEncryptionKey();
        otherHolder.install(software);
        KeyWrapping other = new KeyWrapping(otherHolder, RANDOM);
        other.installTokenKeys(otherNode.tokenKeyEncryptionKeys(), otherNode.tokenProvider().orElseThrow());
        assertThat(other.unwrap("kek-2", underToken.bytes(), "certificate:2").getEncoded()).isEqualTo(after.getPrivate().getEncoded());
        // The derived secrets stay with the keystore's kek-1 (decision 68).
        assertThat(secrets.auditChainKey()).isEqualTo(auditKey);
    }

    @Test
    void theTokenNeverHoldsTheFirstKekNorReplacesTheKeystoresOwn(Token token) throws Exception {
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), RANDOM, "http://pki.test:8080");
        ca.useToken(token.definition(), System::getenv);
        Provider provider = ca.tokenProvider().orElseThrow();
        SecretKey inToken = ca.generateTokenKeyEncryptionKey("kek-2");
        KeyEncryptionKey holder = new KeyEncryptionKey();
        SecretKey second = aesKey();
        holder.install(Map.of("kek-1", aesKey(), "kek-2", second));
        KeyWrapping wrapping = new KeyWrapping(holder, RANDOM);

        assertThatThrownBy(() -> wrapping.installTokenKeys(Map.of("kek-1", inToken), provider)).isInstanceOf(KeyException.class)
                .hasMessage("kek-1 is the CA keystore's, the root of the derived secrets; a token holds later KEKs only");
        wrapping.installTokenKeys(Map.of("kek-2", inToken), provider);

        assertThat(wrapping.inToken("kek-2")).as("the keystore's kek-2 is the one its rows name").isFalse();
        assertThat(holder.find("kek-2")).contains(second);
    }

    private static SecretKey aesKey() throws Exception {
        KeyGenerator generator = KeyGenerator.getInstance("AES");
        generator.init(256, RANDOM);
        return generator.generateKey();
    }
}
