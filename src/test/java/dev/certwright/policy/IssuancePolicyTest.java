package dev.certwright.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.certwright.x509.KeySpec;
import dev.certwright.policy.internal.CaConfigLoader;

class IssuancePolicyTest {

    static final IssuancePolicy POLICY = new IssuancePolicy(CaConfigLoader.load(java.nio.file.Path.of("ca-config/dev.yml")));
    static final SecureRandom RANDOM = new SecureRandom();
    static final PublicKey EC = KeySpec.EC_P256.generate(RANDOM).getPublic();

    @ParameterizedTest(name = "{0} is allowed")
    @ValueSource(strings = {"localhost", "a.test", "b.a.test", "*.a.test", "WEB.Internal", "x-1.internal"})
    void namesInsideThePolicyAreAllowed(String name) {
        ApprovedRequest approved = POLICY.check("tls-server", null, List.of(name), List.of(), EC, null);
        assertThat(approved.dnsNames()).containsExactly(name.toLowerCase());
    }

    @ParameterizedTest(name = "{0} is refused and named")
    @ValueSource(strings = {"example.com", "test", "*.test", "a.test.com", "localhost.evil", "internal", "a..test", "-a.test", "a_b.test", "*.*.a.test"})
    void namesOutsideThePolicyAreRefusedByName(String name) {
        assertThatThrownBy(() -> POLICY.check("tls-server", null, List.of(name), List.of(), EC, null))
                .isInstanceOf(PolicyException.class)
                .satisfies(e -> assertThat(((PolicyException) e).type()).isEqualTo(PolicyException.Type.REJECTED_IDENTIFIER))
                .hasMessageContaining(name.length() > 80 ? name.substring(0, 80) : name);
    }

    @ParameterizedTest(name = "IP {0} is allowed")
    @ValueSource(strings = {"127.0.0.1", "127.255.0.9", "::1"})
    void loopbackAddressesAreAllowed(String ip) {
        assertThat(POLICY.check("tls-server", null, List.of(), List.of(ip), EC, null).ipAddresses()).hasSize(1);
    }

    @ParameterizedTest(name = "IP {0} is refused")
    @ValueSource(strings = {"10.0.0.1", "128.0.0.1", "::2", "192.168.1.1", "not-an-ip", "127.0.0.256"})
    void otherAddressesAreRefused(String ip) {
        assertThatThrownBy(() -> POLICY.check("tls-server", null, List.of(), List.of(ip), EC, null))
                .isInstanceOf(PolicyException.class).hasMessageContaining(ip);
    }

    @Test
    void theCommonNameBecomesASanAndIsChecked() {
        ApprovedRequest approved = POLICY.check("tls-server", "web.test", List.of("api.test"), List.of(), EC, null);
        assertThat(approved.commonName()).isEqualTo("web.test");
        assertThat(approved.dnsNames()).containsExactly("api.test", "web.test");
        assertThatThrownBy(() -> POLICY.check("tls-server", "evil.com", List.of("api.test"), List.of(), EC, null))
                .isInstanceOf(PolicyException.class).hasMessageContaining("evil.com");
    }

    @Test
    void aRequestWithoutNamesIsRefused() {
        assertThatThrownBy(() -> POLICY.check("tls-server", null, List.of(), List.of(), EC, null))
                .isInstanceOf(PolicyException.class).hasMessageContaining("no DNS name or IP address");
    }

    @ParameterizedTest(name = "{0} keys are accepted")
    @ValueSource(strings = {"RSA-2048", "RSA-3072", "EC-P256", "EC-P384", "Ed25519"})
    void allowedKeyAlgorithms(String id) {
        PublicKey key = KeySpec.fromId(id).generate(RANDOM).getPublic();
        assertThat(POLICY.checkKey(key).name()).isEqualTo(id);
    }

    @Test
    void rsaBelow2048IsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024, RANDOM);
        assertThatThrownBy(() -> POLICY.checkKey(generator.generateKeyPair().getPublic()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("1024 bits is below the minimum of 2048");
    }

    @Test
    void rsaExponentOtherThan65537IsRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(new RSAKeyGenParameterSpec(2048, BigInteger.valueOf(3)), RANDOM);
        assertThatThrownBy(() -> POLICY.checkKey(generator.generateKeyPair().getPublic()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("exponent 3");
    }

    @Test
    void rsaModulusWithASmallFactorIsRefused() throws Exception {
        // A 2048-bit odd modulus divisible by 3: not a product of two large primes.
        BigInteger n = BigInteger.ONE.shiftLeft(2047).add(BigInteger.ONE);
        while (!n.mod(BigInteger.valueOf(3)).equals(BigInteger.ZERO)) {
            n = n.add(BigInteger.TWO);
        }
        PublicKey weak = KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, BigInteger.valueOf(65537)));
        assertThatThrownBy(() -> POLICY.checkKey(weak)).isInstanceOf(PolicyException.class).hasMessageContaining("weak");
    }

    @Test
    void curvesOutsideThePolicyAreRefused() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp521r1"), RANDOM);
        assertThatThrownBy(() -> POLICY.checkKey(generator.generateKeyPair().getPublic()))
                .isInstanceOf(PolicyException.class).hasMessageContaining("EC-P521");
    }

    @Test
    void validityMustLieWithinTheProfile() {
        assertThat(POLICY.check("short-lived", null, List.of("a.test"), List.of(), EC, Duration.ofMinutes(1)).validity())
                .isEqualTo(Duration.ofMinutes(1));
        assertThat(POLICY.check("short-lived", null, List.of("a.test"), List.of(), EC, null).validity()).isEqualTo(Duration.ofHours(24));
        assertThatThrownBy(() -> POLICY.check("short-lived", null, List.of("a.test"), List.of(), EC, Duration.ofHours(25)))
                .isInstanceOf(PolicyException.class).hasMessageContaining("outside profile 'short-lived'");
        assertThatThrownBy(() -> POLICY.check("tls-server", null, List.of("a.test"), List.of(), EC, Duration.ofMinutes(1)))
                .isInstanceOf(PolicyException.class);
        assertThatThrownBy(() -> POLICY.check("tls-server", null, List.of("a.test"), List.of(), EC, Duration.ofDays(91)))
                .isInstanceOf(PolicyException.class);
    }

    @Test
    void unknownProfileIsNamed() {
        assertThatThrownBy(() -> POLICY.check("nope", null, List.of("a.test"), List.of(), EC, null))
                .isInstanceOf(PolicyException.class).hasMessageContaining("'nope'").hasMessageContaining("tls-server");
    }
}
