package dev.certwright.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.junit.jupiter.api.Test;

import dev.certwright.x509.TestCertificates;

class FindingTest {

    final KeyPair rootKey = TestCertificates.ecKey();
    final KeyPair intermediateKey = TestCertificates.ecKey();
    final KeyPair leafKey = TestCertificates.ecKey();
    final X509Certificate root = TestCertificates.certificate("CN=Root", rootKey.getPublic(), "CN=Root", rootKey.getPrivate(), true, null);
    final X509Certificate intermediate = TestCertificates.certificate("CN=Intermediate", intermediateKey.getPublic(), "CN=Root", rootKey.getPrivate(),
            true, 0);
    final X509Certificate leaf = TestCertificates.certificate("CN=leaf", leafKey.getPublic(), "CN=Intermediate", intermediateKey.getPrivate(), false,
            null);
    final Instant now = Instant.now();

    @Test
    void aSelfSignedLeafIsSelfSigned() {
        assertThat(Finding.of(List.of(root), null, Set.of(), now)).contains(Finding.SELF_SIGNED).doesNotContain(Finding.UNKNOWN_ISSUER);
    }

    @Test
    void aChainThatReachesAKnownAnchorHasNoChainFinding() {
        assertThat(Finding.of(List.of(leaf, intermediate), null, Set.of(new X500Principal("CN=Root")), now))
                .doesNotContain(Finding.INCOMPLETE_CHAIN, Finding.UNKNOWN_ISSUER, Finding.SELF_SIGNED, Finding.WEAK_KEY, Finding.SHA1_SIGNATURE);
    }

    @Test
    void aLeafServedWithoutItsIntermediateIsAnIncompleteChain() {
        assertThat(Finding.of(List.of(leaf), null, Set.of(new X500Principal("CN=Root")), now)).contains(Finding.INCOMPLETE_CHAIN);
    }

    @Test
    void aChainEndingAtAnUnknownRootIsFromAnUnknownIssuer() {
        assertThat(Finding.of(List.of(leaf, intermediate, root), null, Set.of(), now)).contains(Finding.UNKNOWN_ISSUER)
                .doesNotContain(Finding.INCOMPLETE_CHAIN);
    }

    @Test
    void aServerNameTheLeafDoesNotNameIsAMismatch() {
        assertThat(Finding.of(List.of(leaf, intermediate), "www.example.test", Set.of(new X500Principal("CN=Root")), now))
                .contains(Finding.NAME_MISMATCH);
    }

    @Test
    void anExpiredLeafIsExpired() {
        assertThat(Finding.of(List.of(leaf), null, Set.of(), now.plusSeconds(40L * 86400))).contains(Finding.EXPIRED);
    }

    @Test
    void codesRoundTrip() {
        for (Finding f : Finding.values()) {
            assertThat(Finding.ofCode(f.code())).isEqualTo(f);
        }
    }
}
