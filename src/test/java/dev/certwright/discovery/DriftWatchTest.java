package dev.certwright.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.certwright.deploy.DeploymentQueries.ExpectedLeaf;
import dev.certwright.x509.Fingerprint;
import dev.certwright.x509.TestCertificates;

class DriftWatchTest {

    final KeyPair key = TestCertificates.ecKey();
    final X509Certificate current = TestCertificates.certificate("CN=current", key.getPublic(), "CN=current", key.getPrivate(), false, null);
    final X509Certificate old = TestCertificates.certificate("CN=old", key.getPublic(), "CN=old", key.getPrivate(), false, null);
    final X509Certificate other = TestCertificates.certificate("CN=other", key.getPublic(), "CN=other", key.getPrivate(), false, null);

    static String fingerprint(X509Certificate c) throws Exception {
        return Fingerprint.sha256(c.getEncoded()).sha256Hex();
    }

    static ScanTargets.Address at(String host, String address) throws Exception {
        return new ScanTargets.Address(host, InetAddress.getByName(address));
    }

    @Test
    void theProbeEndpointServingTheSlotsCurrentCertificateHasNotDrifted() throws Exception {
        DriftWatch watch = DriftWatch.of(List.of(new ExpectedLeaf("web", "127.0.0.1", 8443, null, "www", fingerprint(current))));
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8443, null, current)).isFalse();
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8443, null, old)).isTrue();
    }

    @Test
    void onlyTheProbesPortAndServerNameAreWatched() throws Exception {
        DriftWatch watch = DriftWatch.of(List.of(new ExpectedLeaf("web", "127.0.0.1", 8443, "www.test", "www", fingerprint(current))));
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8444, "www.test", other)).as("another port").isFalse();
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8443, null, other)).as("no SNI: not what the probe asks for").isFalse();
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8443, "api.test", other)).as("another name").isFalse();
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8443, "WWW.test", other)).as("names are case-blind").isTrue();
    }

    @Test
    void aScanNamingTheAddressOrTheHostFindsTheTarget() throws Exception {
        DriftWatch watch = DriftWatch.of(List.of(new ExpectedLeaf("web", "localhost", 8443, null, "www", fingerprint(current))));
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 8443, null, other)).as("the address localhost resolves to").isTrue();
        assertThat(watch.drifted(at("LOCALHOST", "127.0.0.1"), 8443, null, other)).isTrue();
        assertThat(watch.drifted(at("10.9.9.9", "10.9.9.9"), 8443, null, other)).as("another host").isFalse();
    }

    @Test
    void aTargetSeveralSlotsDeployToMayServeAnyOfTheirCurrentCertificates() throws Exception {
        DriftWatch watch = DriftWatch.of(List.of(new ExpectedLeaf("lb", "127.0.0.1", 443, null, "a", fingerprint(current)),
                new ExpectedLeaf("lb", "127.0.0.1", 443, null, "b", fingerprint(old))));
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 443, null, old)).isFalse();
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 443, null, current)).isFalse();
        assertThat(watch.drifted(at("127.0.0.1", "127.0.0.1"), 443, null, other)).isTrue();
    }

    @Test
    void withNoTargetsNothingDrifts() throws Exception {
        assertThat(DriftWatch.of(List.of()).drifted(at("127.0.0.1", "127.0.0.1"), 443, null, other)).isFalse();
    }
}
