package dev.certwright.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

class ScanTargetsTest {

    @Test
    void nothingMayBeScannedUntilAnAdminNamesTheNetworks() {
        assertThatThrownBy(() -> new ScanTargets(List.of(), 65536).resolve(List.of("127.0.0.1")))
                .isInstanceOfSatisfying(DiscoveryException.class, e -> assertThat(e.type()).isEqualTo(DiscoveryException.Type.NOT_ALLOWED))
                .hasMessageContaining("outside certwright.discovery.allowed-networks");
    }

    @Test
    void aNameIsCheckedAsTheAddressItResolvesTo() {
        // localhost resolves to loopback, which 192.0.2.0/24 does not hold.
        assertThatThrownBy(() -> new ScanTargets(List.of("192.0.2.0/24"), 65536).resolve(List.of("localhost")))
                .isInstanceOf(DiscoveryException.class).hasMessageContaining("resolves to");
        assertThat(new ScanTargets(List.of("127.0.0.0/8", "::1"), 65536).resolve(List.of("localhost")))
                .allSatisfy(a -> assertThat(a.host()).isEqualTo("localhost"));
    }

    @Test
    void aRangeIsExpandedAndEveryAddressMustBeAllowed() {
        ScanTargets targets = new ScanTargets(List.of("127.0.0.0/8"), 65536);
        assertThat(targets.resolve(List.of("127.0.3.0/30", "127.0.3.1")).stream().map(ScanTargets.Address::text))
                .containsExactly("127.0.3.0", "127.0.3.1", "127.0.3.2", "127.0.3.3");
        assertThatThrownBy(() -> new ScanTargets(List.of("127.0.3.0/31"), 65536).resolve(List.of("127.0.3.0/30")))
                .isInstanceOf(DiscoveryException.class).hasMessageContaining("127.0.3.2");
    }

    @Test
    void aRangeLargerThanMaxAddressesIsRefused() {
        assertThatThrownBy(() -> new ScanTargets(List.of("10.0.0.0/8"), 65536).resolve(List.of("10.0.0.0/15")))
                .isInstanceOfSatisfying(DiscoveryException.class, e -> assertThat(e.type()).isEqualTo(DiscoveryException.Type.NOT_ALLOWED))
                .hasMessageContaining("certwright.discovery.max-addresses");
        assertThat(new ScanTargets(List.of("10.0.0.0/8"), 65536).resolve(List.of("10.0.0.0/16"))).hasSize(65536);
    }

    @Test
    void aBadAllowedNetworkStopsStartupNamingTheKey() {
        assertThatThrownBy(() -> new ScanTargets(List.of("10.0.0.0/99"), 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("certwright.discovery.allowed-networks");
    }
}
