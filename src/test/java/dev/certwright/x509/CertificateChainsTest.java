package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static dev.certwright.x509.TestCertificates.certificate;
import static dev.certwright.x509.TestCertificates.ecKey;

class CertificateChainsTest {

    final KeyPair rootKey = ecKey();
    final KeyPair intermediateKey = ecKey();
    final KeyPair leafKey = ecKey();
    final X509Certificate root = certificate("CN=Root", rootKey.getPublic(), "CN=Root", rootKey.getPrivate(), true, null);
    final X509Certificate intermediate = certificate("CN=Intermediate", intermediateKey.getPublic(), "CN=Root", rootKey.getPrivate(), true, 0);
    final X509Certificate leaf = certificate("CN=leaf.test", leafKey.getPublic(), "CN=Intermediate", intermediateKey.getPrivate(), false, null);

    @Test
    void aProperChainPasses() {
        assertThatCode(() -> CertificateChains.checkOrdered(List.of(leaf, intermediate, root))).doesNotThrowAnyException();
        assertThatCode(() -> CertificateChains.checkOrdered(List.of(leaf))).doesNotThrowAnyException();
    }

    @Test
    void aRepeatedCertificateIsALoop() {
        assertThatThrownBy(() -> CertificateChains.checkOrdered(List.of(leaf, intermediate, root, root))).isInstanceOf(ChainException.class)
                .hasMessageContaining("loops");
    }

    @Test
    void twoCasThatSignEachOtherAreALoop() {
        KeyPair a = ecKey();
        KeyPair b = ecKey();
        X509Certificate aByB = certificate("CN=A", a.getPublic(), "CN=B", b.getPrivate(), true, null);
        X509Certificate bByA = certificate("CN=B", b.getPublic(), "CN=A", a.getPrivate(), true, null);
        X509Certificate leafOfA = certificate("CN=x.test", leafKey.getPublic(), "CN=A", a.getPrivate(), false, null);
        assertThatThrownBy(() -> CertificateChains.checkOrdered(List.of(leafOfA, aByB, bByA))).isInstanceOf(ChainException.class)
                .hasMessageContaining("loops");
    }

    @Test
    void anIssuerWithCaFalseIsRefused() {
        X509Certificate notCa = certificate("CN=Not a CA", intermediateKey.getPublic(), "CN=Root", rootKey.getPrivate(), false, null);
        X509Certificate below = certificate("CN=below.test", leafKey.getPublic(), "CN=Not a CA", intermediateKey.getPrivate(), false, null);
        assertThatThrownBy(() -> CertificateChains.checkOrdered(List.of(below, notCa))).isInstanceOf(ChainException.class)
                .hasMessageContaining("is not a CA");
    }

    @Test
    void aSignatureThatDoesNotVerifyIsRefused() {
        X509Certificate forged = certificate("CN=leaf.test", leafKey.getPublic(), "CN=Intermediate", ecKey().getPrivate(), false, null);
        assertThatThrownBy(() -> CertificateChains.checkOrdered(List.of(forged, intermediate))).isInstanceOf(ChainException.class)
                .hasMessageContaining("does not verify");
    }

    @Test
    void aPathLongerThanAnIssuerAllowsIsRefused() {
        // intermediate has pathLen 0: no further CA may follow below it.
        KeyPair subKey = ecKey();
        X509Certificate sub = certificate("CN=Sub", subKey.getPublic(), "CN=Intermediate", intermediateKey.getPrivate(), true, null);
        X509Certificate leafOfSub = certificate("CN=s.test", leafKey.getPublic(), "CN=Sub", subKey.getPrivate(), false, null);
        assertThatThrownBy(() -> CertificateChains.checkOrdered(List.of(leafOfSub, sub, intermediate, root))).isInstanceOf(ChainException.class)
                .hasMessageContaining("too long");
    }

    @Test
    void moreThanTenCertificatesAreRefused() {
        List<X509Certificate> chain = new ArrayList<>();
        KeyPair previous = ecKey();
        String previousName = "CN=CA 0";
        List<X509Certificate> cas = new ArrayList<>();
        cas.add(certificate(previousName, previous.getPublic(), previousName, previous.getPrivate(), true, null));
        for (int i = 1; i < 11; i++) {
            KeyPair next = ecKey();
            String name = "CN=CA " + i;
            cas.add(0, certificate(name, next.getPublic(), previousName, previous.getPrivate(), true, null));
            previous = next;
            previousName = name;
        }
        chain.addAll(cas);
        assertThatThrownBy(() -> CertificateChains.checkOrdered(chain)).isInstanceOf(ChainException.class).hasMessageContaining("at most 10");
    }

    @Test
    void anIssuerNameThatDoesNotMatchIsRefused() {
        assertThatThrownBy(() -> CertificateChains.checkOrdered(List.of(leaf, root))).isInstanceOf(ChainException.class)
                .hasMessageContaining("names issuer");
    }
}
