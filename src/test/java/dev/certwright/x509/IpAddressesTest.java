package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpAddressesTest {

    @ParameterizedTest(name = "{0} is written {1}")
    @CsvSource({"127.0.0.1, 127.0.0.1", "0:0:0:0:0:0:0:1, ::1", "::, ::", "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
            "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1", "2001:0:0:1:0:0:0:1, 2001:0:0:1::1", "fe80:0:0:0:0:0:0:0, fe80::"})
    void writesRfc5952Text(String in, String out) throws Exception {
        assertThat(IpAddresses.canonical(InetAddress.getByName(in))).isEqualTo(out);
    }
}
