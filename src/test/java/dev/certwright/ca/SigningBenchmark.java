package dev.certwright.ca;

import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
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

import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.x509.CryptoProviders;
import dev.certwright.x509.CsrView;
import dev.certwright.x509.SerialNumber;

/**
 * The signing path, microbenchmarked (scripts/bench/signing.sh): Certwright's leaf signing (template → Bouncy Castle
 * builder → P-256 signature → parsed certificate) beside a bare JCA {@code Signature} over a TBSCertificate of the
 * same size, and a CSR's parse-and-verify beside a bare {@code verify}, for each crypto provider: ACCP (native AWS-LC),
 * the JDK's SunEC and Bouncy Castle. The difference between the pairs is the overhead Certwright adds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class SigningBenchmark {

    @Param({"ACCP", "SunEC", "BC"})
    public String provider;

    private CertificateAuthority ca;
    private KeyPair leafKey;
    private KeyPair issuerKey;
    private byte[] tbs;
    private byte[] signature;
    private byte[] csr;
    private String providerName;
    private final SecureRandom random = new SecureRandom();

    @Setup
    public void setUp() throws Exception {
        // The CA is made with the installed providers (Bouncy Castle first cannot write the JDK's PKCS#12); then the
        // provider under test is put first, where the signing path's builder finds it.
        CryptoProviders.install("ACCP".equals(provider));
        CaConfiguration config = CaConfigLoader.load(java.nio.file.Path.of("ca-config/dev.yml"));
        char[] passphrase = "benchmark passphrase".toCharArray();
        ca = new CertificateAuthority(Clock.systemUTC(), random, "http://pki.test:8080");
        ca.install(ca.createKeystore(config, passphrase), passphrase, config);
        switch (provider) {
            case "ACCP" -> {
                providerName = CryptoProviders.ACCP;
                if (Security.getProvider(CryptoProviders.ACCP) == null) {
                    throw new IllegalStateException("ACCP did not load: " + CryptoProviders.description());
                }
            }
            case "BC" -> {
                Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
                Security.insertProviderAt(new BouncyCastleProvider(), 1);
                providerName = BouncyCastleProvider.PROVIDER_NAME;
            }
            default -> providerName = "SunEC";
        }
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", providerName);
        generator.initialize(new ECGenParameterSpec("secp256r1"), random);
        leafKey = generator.generateKeyPair();
        issuerKey = generator.generateKeyPair();
        tbs = signLeaf().getTBSCertificate();
        Signature signer = Signature.getInstance("SHA256withECDSA", providerName);
        signer.initSign(issuerKey.getPrivate());
        signer.update(tbs);
        signature = signer.sign();
        org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder request = new org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder(
                new javax.security.auth.x500.X500Principal("CN=bench.test"), leafKey.getPublic());
        csr = request.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA").build(leafKey.getPrivate())).getEncoded();
    }

    private X509Certificate signLeaf() {
        Instant now = Instant.now();
        return ca.sign(new CertificateTemplate("dev-issuing", SerialNumber.random(random), "bench.test", List.of("bench.test"), List.of(),
                leafKey.getPublic(), now.minusSeconds(60), now.plus(Duration.ofDays(90)), List.of("serverAuth")));
    }

    /** Certwright: build the TBSCertificate from a template, sign it, parse the result. */
    @Benchmark
    public X509Certificate certwrightSignLeaf() {
        return signLeaf();
    }

    /** A bare JCA signature over a TBSCertificate of the same size. */
    @Benchmark
    public byte[] bareSignature() throws Exception {
        Signature signer = Signature.getInstance("SHA256withECDSA", providerName);
        signer.initSign(issuerKey.getPrivate());
        signer.update(tbs);
        return signer.sign();
    }

    /** Certwright: parse a PEM-less CSR and check its self-signature (with ACCP, else Bouncy Castle). */
    @Benchmark
    public Object certwrightCsrCheck() {
        return CsrView.parseDer(csr);
    }

    /** A bare JCA verify of one P-256 signature. */
    @Benchmark
    public boolean bareVerify() throws Exception {
        Signature verifier = Signature.getInstance("SHA256withECDSA", providerName);
        verifier.initVerify(issuerKey.getPublic());
        verifier.update(tbs);
        return verifier.verify(signature);
    }
}
