package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Security;

import org.junit.jupiter.api.Test;

import com.amazon.corretto.crypto.provider.AmazonCorrettoCryptoProvider;

class CryptoProvidersTest {

    @Test
    void nativeCryptoIsUsedWhereItIsHealthyAndBouncyCastleVerifiesOtherwise() {
        String withoutNative = CryptoProviders.install(false);
        if (Security.getProvider(CryptoProviders.ACCP) == null) {
            assertThat(withoutNative).contains("Bouncy Castle");
            assertThat(CryptoProviders.verification().getName()).isEqualTo("BC");
        }
        String chosen = CryptoProviders.install(true);
        if (AmazonCorrettoCryptoProvider.INSTANCE.getLoadingError() == null) {
            // On the x86-64 Linux machines this project runs on, ACCP must load: it is what the benchmarks measured.
            assertThat(chosen).startsWith("ACCP");
            assertThat(Security.getProviders()[0].getName()).isEqualTo(CryptoProviders.ACCP);
            assertThat(CryptoProviders.verification().getName()).isEqualTo(CryptoProviders.ACCP);
        } else {
            assertThat(chosen).contains("not available");
            assertThat(CryptoProviders.verification().getName()).isEqualTo("BC");
        }
        assertThat(Security.getProvider("BC")).isNotNull();
    }
}
