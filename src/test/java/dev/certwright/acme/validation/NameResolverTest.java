package dev.certwright.acme.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NameResolverTest {

    /** An internal PKI validates internal hosts: loopback and private addresses stay reachable (the policy picks names). */
    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "::1", "10.0.0.7", "192.168.1.20", "fd00::7", "8.8.8.8"})
    void validationReachesPublicPrivateAndLoopbackAddresses(String address) throws Exception {
        assertThat(NameResolver.reachable("host.test", List.of(InetAddress.getByName(address)))).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "::ffff:169.254.169.254", "fe80::1", "0.0.0.0", "::", "224.0.0.1", "ff02::1", "255.255.255.255"})
    void validationNeverConnectsToLinkLocalUnspecifiedOrMulticastAddresses(String address) throws Exception {
        assertThatThrownBy(() -> NameResolver.reachable("metadata.test", List.of(InetAddress.getByName(address))))
                .isInstanceOf(ValidationFailure.class).hasMessage("no address of metadata.test may be validated")
                .satisfies(e -> assertThat(((ValidationFailure) e).type()).isEqualTo("dns"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"169.254.169.254", "224.0.0.1"})
    void onlyTheReachableAddressesOfANameAreKept(String unreachable) throws Exception {
        assertThat(NameResolver.reachable("mixed.test", List.of(InetAddress.getByName(unreachable), InetAddress.getByName("10.0.0.1"))))
                .containsExactly(InetAddress.getByName("10.0.0.1"));
    }
}
