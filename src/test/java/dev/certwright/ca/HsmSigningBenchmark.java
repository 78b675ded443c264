package dev.certwright.ca;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import dev.certwright.policy.KeyStoreDefinition;
import dev.certwright.x509.CryptoProviders;
import dev.certwright.x509.KeySpec;

/**
 * Leaf certificates signed per second by a P-256 issuer key in a SoftHSM2 token, beside the same with a software key
 * (scripts/bench/hsm-signing.sh, which makes the token and sets SOFTHSM2_CONF). Both build the same certificate with
 * Bouncy Castle's builder and parse it back, as the CA does; only the signer differs: the token's SunPKCS11 provider
 * with a key handle, or a software key with ACCP (the production default when it loads) or the JDK's SunEC.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = Pkcs11Slots.ADD_EXPORTS)
public class HsmSigningBenchmark {

    @Param({"SoftHSM2", "ACCP", "SunEC"})
    public String signer;

    private final SecureRandom random = new SecureRandom();
    private X500Name issuerName;
    private PublicKey issuerPublicKey;
    private PrivateKey issuerKey;
    private Provider provider;
    private PublicKey leafKey;

    @Setup
    public void setUp() {
        CryptoProviders.install("ACCP".equals(signer));
        if ("SoftHSM2".equals(signer)) {
            KeyStoreDefinition definition = KeyStoreDefinition.of("pkcs11", "/usr/lib/softhsm/libsofthsm2.so",
                    required("CERTWRIGHT_BENCH_HSM_LABEL"), null, "CERTWRIGHT_BENCH_HSM_PIN");
            Pkcs11Token token = Pkcs11Token.open(definition, System::getenv, Clock.systemUTC(), random);
            Pkcs11Key key = token.generate("bench-" + HexFormat.of().formatHex(random.generateSeed(4)), KeySpec.EC_P256);
            issuerKey = key.privateKey();
            issuerPublicKey = key.publicKey();
            provider = key.provider();
        } else {
            provider = Security.getProvider("ACCP".equals(signer) ? CryptoProviders.ACCP : "SunEC");
            if (provider == null) {
                throw new IllegalStateException(signer + " is not installed: " + CryptoProviders.description());
            }
            KeyPair pair = KeySpec.EC_P256.generate(random);
            issuerKey = pair.getPrivate();
            issuerPublicKey = pair.getPublic();
        }
        issuerName = new X500Name("CN=Bench Issuing CA,O=Certwright Bench");
        leafKey = KeySpec.EC_P256.generate(random).getPublic();
    }

    private static String required(String name) {
        String value = System.getenv(name);
        if (value == null) {
            throw new IllegalStateException(name + " is not set; run scripts/bench/hsm-signing.sh");
        }
        return value;
    }

    /** One leaf as the CA signs it (RFC 5280 extensions, SAN, SKI/AKI), signed and parsed back. */
    @Benchmark
    public X509Certificate signLeaf() throws Exception {
        Instant now = Instant.now();
        JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
        var builder = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(127, random), Date.from(now.minusSeconds(60)),
                Date.from(now.plus(Duration.ofDays(90))), new X500Name("CN=bench.test"), leafKey);
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(leafKey));
        builder.addExtension(Extension.authorityKeyIdentifier, false, utils.createAuthorityKeyIdentifier(issuerPublicKey));
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, "bench.test")));
        var contentSigner = new JcaContentSignerBuilder("SHA256withECDSA").setProvider(provider).build(issuerKey);
        return new JcaX509CertificateConverter().getCertificate(builder.build(contentSigner));
    }
}
