package dev.certwright.issuance;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.certwright.ca.KeyLocation;
import dev.certwright.issuance.internal.IssuerRecords.Row;
import dev.certwright.issuance.internal.IssuerRecords.Status;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuerDefinition;
import dev.certwright.policy.IssuerSource;
import dev.certwright.policy.NamePolicy;
import dev.certwright.x509.KeySpec;

/**
 * The rules the registry applies to a CA chain it is given (an imported issuer, an external issuer's installed
 * certificate), the path length ca-config needs, and the state a generation is in.
 */
class CaChainRulesTest {

    static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    static final KeyPair ROOT_KEY = keys();
    static final KeyPair ISSUER_KEY = keys();
    static final X509Certificate ROOT = certificate("CN=Root", ROOT_KEY, "CN=Root", ROOT_KEY, 2, true, NOW.minusSeconds(60), NOW.plus(Duration.ofDays(30)));

    /** A certificate for {@code ISSUER_KEY} signed by the root, shaped by the case. */
    static X509Certificate issuer(Integer pathLength, boolean withCertSign, Instant notAfter) {
        return certificate("CN=Issuer", ISSUER_KEY, "CN=Root", ROOT_KEY, pathLength, withCertSign, NOW.minusSeconds(60), notAfter);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "a CA with room for one level        | 1  | true  | 30 | true  | 1 | ",
            "no limit                            | -1 | true  | 30 | true  | 3 | ",
            "not a CA                            |    | true  | 30 | true  | 0 | is not a CA certificate",
            "path length too short               | 0  | true  | 30 | true  | 1 | allows a path length of 0, and ca-config has 1 level(s)",
            "no keyCertSign                      | 0  | false | 30 | true  | 0 | does not allow keyCertSign and cRLSign",
            "expired                             | 0  | true  | -1 | true  | 0 | expired on",
            "no root                             | 0  | true  | 30 | false | 0 | which is not a self-signed root",
    })
    void caChainsAreCheckedBeforeUse(String what, Integer pathLength, boolean certSign, int days, boolean withRoot, int needed, String problem) {
        X509Certificate issuer = pathLength == null
                ? certificate("CN=Issuer", ISSUER_KEY, "CN=Root", ROOT_KEY, null, certSign, NOW.minusSeconds(3600), NOW.plus(Duration.ofDays(days)))
                : issuer(pathLength < 0 ? Integer.valueOf(Integer.MAX_VALUE) : pathLength, certSign,
                        days < 0 ? NOW.minusSeconds(1) : NOW.plus(Duration.ofDays(days)));
        List<X509Certificate> chain = withRoot ? List.of(issuer, ROOT) : List.of(issuer);
        String found = CaHierarchy.caChainProblem(chain, needed, NOW);
        if (problem == null) {
            assertThat(found).isNull();
        } else {
            assertThat(found).contains(problem);
        }
    }

    @Test
    void aChainSignedByAnotherKeyIsRefused() {
        KeyPair other = keys();
        X509Certificate forged = certificate("CN=Issuer", ISSUER_KEY, "CN=Root", other, 0, true, NOW.minusSeconds(60), NOW.plus(Duration.ofDays(1)));
        assertThat(CaHierarchy.caChainProblem(List.of(forged, ROOT), 0, NOW)).isNotNull();
    }

    @Test
    void theRequiredPathLengthCountsTheLevelsConfiguredBelow() {
        CaConfiguration config = new CaConfiguration("x.yml", List.of(
                new IssuerDefinition("root", null, "CN=R", KeySpec.EC_P256, Duration.ofDays(10), null),
                new IssuerDefinition("mid", "root", "CN=M", KeySpec.EC_P256, Duration.ofDays(10), null),
                new IssuerDefinition("team", "mid", "CN=T", KeySpec.EC_P256, Duration.ofDays(10), null),
                new IssuerDefinition("side", "root", "CN=S", KeySpec.EC_P256, Duration.ofDays(10), null)), Map.of(),
                new NamePolicy(List.of(), List.of(), java.util.Set.of("EC-P256"), 2048, 4096));
        assertThat(CaHierarchy.requiredPathLength("root", config)).isEqualTo(2);
        assertThat(CaHierarchy.requiredPathLength("mid", config)).isEqualTo(1);
        assertThat(CaHierarchy.requiredPathLength("team", config)).isZero();
    }

    @ParameterizedTest(name = "{0} -> {5}")
    @CsvSource(delimiter = '|', value = {
            "issuing                                 | READY                | false | false |      | ACTIVE",
            "awaiting its certificate                | AWAITING_CERTIFICATE | false | false |      | AWAITING_CERTIFICATE",
            "retired                                 | RETIRED              | true  | false |      | RETIRED",
            "successor before its switch             | READY                | false | true  | 60   | STANDBY",
            "successor after its switch              | READY                | false | true  | -60  | ACTIVE",
    })
    void aGenerationsStateFollowsItsRecordAndTheClock(String what, Status status, boolean withCertificate, boolean successor, Integer switchIn,
            IssuerState expected) {
        X509Certificate certificate = status == Status.AWAITING_CERTIFICATE ? null : issuer(0, true, NOW.plus(Duration.ofDays(1)));
        Instant switchAt = switchIn == null ? null : NOW.plusSeconds(switchIn);
        Row first = row("a", 1, Status.READY, issuer(0, true, NOW.plus(Duration.ofDays(1))), null, successor ? "a-g2" : null, null);
        Row row = successor ? row("a-g2", 2, status, certificate, "a", null, switchAt) : row("a", 1, status, certificate, null, null, null);
        List<Row> all = successor ? List.of(first, row) : List.of(row);
        assertThat(CaHierarchy.state(row, all, NOW)).isEqualTo(expected);
        if (successor) {
            assertThat(CaHierarchy.state(first, all, NOW)).as("the predecessor").isEqualTo(switchIn > 0 ? IssuerState.ACTIVE : IssuerState.RETIRING);
        }
    }

    static Row row(String name, int generation, Status status, X509Certificate certificate, String predecessor, String successor, Instant switchAt) {
        return new Row(name, "a", generation, IssuerSource.GENERATE, status, KeyLocation.KEYSTORE, "EC-P256", ISSUER_KEY.getPublic().getEncoded(),
                "CN=Issuer", 0, null, certificate, certificate == null ? List.of() : List.of(ROOT), predecessor, successor, switchAt, null, NOW, NOW);
    }

    static KeyPair keys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, Integer pathLength, boolean certSign,
            Instant notBefore, Instant notAfter) {
        try {
            var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(System.nanoTime()), Date.from(notBefore),
                    Date.from(notAfter), new X500Name(subject), subjectKeys.getPublic());
            if (pathLength != null) {
                builder.addExtension(Extension.basicConstraints, true,
                        pathLength == Integer.MAX_VALUE ? new BasicConstraints(true) : new BasicConstraints(pathLength));
            }
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(certSign ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            return new JcaX509CertificateConverter().getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
