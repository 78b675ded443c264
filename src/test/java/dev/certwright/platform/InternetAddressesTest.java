package dev.certwright.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InternetAddressesTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({"127.0.0.1, loopback", "127.8.9.10, loopback", "::1, loopback", "169.254.169.254, link-local", "fe80::1, link-local",
            "10.1.2.3, private", "172.16.0.1, private", "172.31.255.255, private", "192.168.1.1, private", "100.64.0.1, private",
            "100.127.255.254, private", "fc00::1, private", "fd12:3456::1, private", "0.0.0.0, unspecified", "0.1.2.3, unspecified",
            ":: , unspecified", "224.0.0.1, multicast", "239.255.255.250, multicast", "ff02::1, multicast", "255.255.255.255, reserved",
            "240.0.0.1, reserved",
            // IPv4-mapped and IPv4-compatible IPv6 forms count as the IPv4 address they hold.
            "::ffff:127.0.0.1, loopback", "::ffff:169.254.169.254, link-local", "::ffff:10.0.0.1, private", "::127.0.0.1, loopback",
            "::10.0.0.1, private"})
    void nonPublicAddressesAreNamedForTheirRange(String address, String reason) throws Exception {
        assertThat(InternetAddresses.nonPublicReason(InetAddress.getByName(address.trim()))).contains(reason);
    }

    @ParameterizedTest
    @ValueSource(strings = {"8.8.8.8", "1.1.1.1", "172.32.0.1", "172.15.255.255", "100.63.255.255", "100.128.0.1", "192.169.0.1",
            "2001:4860:4860::8888", "2606:4700::1111", "::ffff:8.8.8.8"})
    void publicAddressesHaveNoReason(String address) throws Exception {
        assertThat(InternetAddresses.nonPublicReason(InetAddress.getByName(address))).isEmpty();
    }

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({"10.0.0.0/8, 10.255.0.1, true", "10.0.0.0/8, 11.0.0.1, false", "127.0.0.1, 127.0.0.1, true", "127.0.0.1, 127.0.0.2, false",
            "192.168.4.0/22, 192.168.7.255, true", "192.168.4.0/22, 192.168.8.0, false", "fd00::/8, fd12::1, true", "fd00::/8, fc00::1, false",
            "127.0.0.0/8, ::ffff:127.0.0.1, true", "0.0.0.0/0, 8.8.8.8, true", "::/0, 10.0.0.1, false"})
    void cidrRangesMatchTheirAddresses(String cidr, String address, boolean contained) throws Exception {
        assertThat(InternetAddresses.Cidr.parse(cidr).orElseThrow().contains(InetAddress.getByName(address))).isEqualTo(contained);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hooks.example.com", "10.0.0.0/33", "10.0.0.0/x", "fd00::/129", "localhost"})
    void namesAndBadRangesAreNoCidr(String text) {
        assertThat(InternetAddresses.Cidr.parse(text)).isEmpty();
    }
}
