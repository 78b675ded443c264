package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeySpecTest {

    static PublicKey ecKey(String curve) throws Exception {
        // Bouncy Castle knows every named curve; the JDK no longer generates secp256k1.
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair().getPublic();
    }

    @ParameterizedTest(name = "a {0} key is {1}")
    @CsvSource({"secp256r1, EC-P256", "secp384r1, EC-P384", "secp521r1, EC-P521", "secp256k1, EC-secp256k1",
            "brainpoolP256r1, EC-brainpoolP256r1", "prime256v1, EC-P256"})
    void anEcKeyIsNamedByItsCurveOidNotItsSize(String curve, String name) throws Exception {
        assertThat(KeySpec.describe(ecKey(curve)).name()).isEqualTo(name);
    }

    @Test
    void aCurveOfTheRightSizeIsNoSpecOfOurs() throws Exception {
        assertThat(KeySpec.of(ecKey("secp256k1"))).isEmpty();
        assertThat(KeySpec.of(ecKey("secp256r1"))).contains(KeySpec.EC_P256);
    }

    @ParameterizedTest(name = "{0} generates a key it names itself")
    @CsvSource({"EC-P256", "EC-P384", "EC-P521"})
    void generatedKeysAreOfTheirSpec(String id) {
        KeySpec spec = KeySpec.fromId(id);
        assertThat(KeySpec.of(spec.generate(new SecureRandom()).getPublic())).contains(spec);
    }
}
