package dev.certwright.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.withSettings;

import java.nio.file.Path;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;

import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.junit.jupiter.api.BeforeAll;

import com.code_intelligence.jazzer.junit.FuzzTest;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.inventory.RevocationRecords;
import dev.certwright.policy.internal.CaConfigLoader;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.SerialNumber;

/**
 * Fuzzes the OCSP request path (RFC 6960 §4.1): {@link OcspResponder#respond} on a real CA hierarchy with delegated
 * responders, with the revocation records and the pre-signed store stubbed (every serial is unknown). The responder
 * promises never to throw for bad input: each request gets an OCSPResponse with one of the statuses of RFC 6960
 * §4.2.1, and a successful one parses. Any exception, and any {@link Error} such as the StackOverflowError of deeply
 * nested ASN.1, is a finding.
 */
class OcspRequestFuzzTest {

    static final Set<Integer> STATUSES = Set.of(OCSPRespBuilder.SUCCESSFUL, OCSPRespBuilder.MALFORMED_REQUEST,
            OCSPRespBuilder.INTERNAL_ERROR, OCSPRespBuilder.TRY_LATER, OCSPRespBuilder.SIG_REQUIRED, OCSPRespBuilder.UNAUTHORIZED);
    static OcspResponder responder;

    @BeforeAll
    static void realHierarchyWithResponders() throws Exception {
        SecureRandom random = new SecureRandom();
        CaConfiguration config = CaConfigLoader.load(Path.of("ca-config/dev.yml"));
        char[] passphrase = "fuzzing passphrase, generated per run".toCharArray();
        CertificateAuthority ca = new CertificateAuthority(Clock.systemUTC(), random, "http://pki.test:8080");
        ca.install(ca.createKeystore(config, passphrase), passphrase, config);
        Instant now = Instant.now();
        for (Issuer issuer : ca.issuers()) {
            KeyPair keys = KeySpec.EC_P256.generate(random);
            ca.installOcspResponder(issuer.name(), ca.signOcspResponderCertificate(issuer.name(), keys.getPublic(),
                    SerialNumber.random(random), now.minusSeconds(60), now.plus(Duration.ofDays(14))), keys.getPrivate());
        }
        // Stub-only mocks record no invocations: a fuzzing run makes millions of calls.
        responder = new OcspResponder(ca, mock(RevocationRecords.class, withSettings().stubOnly()),
                mock(OcspResponseStore.class, withSettings().stubOnly()),
                new RevocationProperties.Ocsp(Duration.ofDays(1), Duration.ofDays(14), Duration.ofMinutes(1), Duration.ofMillis(500), 65536),
                Clock.systemUTC());
    }

    @FuzzTest(maxDuration = "10m")
    void respond(byte[] request) throws Exception {
        OcspResponder.Result result = responder.respond(request);
        assertThat(STATUSES).contains(result.status());
        OCSPResp parsed = new OCSPResp(result.der());
        assertThat(parsed.getStatus()).isEqualTo(result.status());
    }
}
