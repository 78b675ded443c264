package dev.certwright.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ScanSpecTest {

    static ScanSpec spec(List<String> targets, List<Integer> ports, List<String> serverNames, Duration schedule, Integer concurrency) {
        return new ScanSpec("lab", targets, ports, serverNames, schedule, concurrency, null);
    }

    static List<ScanSpec> unusable() {
        return List.of(
                new ScanSpec("Not A Name", List.of("127.0.0.1"), List.of(443), null, null, null, null),
                spec(List.of(), List.of(443), null, null, null),
                spec(List.of("10.0.0.0/33"), List.of(443), null, null, null),
                spec(List.of("not a host"), List.of(443), null, null, null),
                spec(List.of("999.1.1.1"), List.of(443), null, null, null),
                spec(List.of("127.0.0.1"), List.of(0), null, null, null),
                spec(List.of("127.0.0.1"), List.of(65536), null, null, null),
                spec(List.of("127.0.0.1"), List.of(), null, null, null),
                spec(List.of("127.0.0.1"), Collections.nCopies(1025, 443), null, null, null),
                spec(Collections.nCopies(1025, "127.0.0.1"), List.of(443), null, null, null),
                spec(List.of("127.0.0.1"), List.of(443), List.of("127.0.0.1"), null, null),
                spec(List.of("127.0.0.1"), List.of(443), List.of("bad_name!"), null, null),
                spec(List.of("127.0.0.1"), List.of(443), null, Duration.ofSeconds(5), null),
                spec(List.of("127.0.0.1"), List.of(443), null, null, 0),
                spec(List.of("127.0.0.1"), List.of(443), null, null, 100_000),
                spec(java.util.Arrays.asList((String) null), List.of(443), null, null, null),
                spec(List.of("127.0.0.1"), java.util.Arrays.asList((Integer) null), null, null, null),
                spec(List.of("127.0.0.1"), List.of(443), java.util.Arrays.asList((String) null), null, null));
    }

    @ParameterizedTest
    @MethodSource("unusable")
    void anUnusableSpecIsRefusedAsInvalid(ScanSpec spec) {
        assertThatThrownBy(() -> spec.validated(256, 1000)).isInstanceOfSatisfying(DiscoveryException.class,
                e -> assertThat(e.type()).isEqualTo(DiscoveryException.Type.INVALID));
    }

    @Test
    void aValidSpecGetsTheDefaultsAndLosesRepeats() {
        ScanSpec valid = spec(List.of("127.0.0.1", "127.0.0.1", "example.test", "192.0.2.0/24", "::1"), List.of(443, 443, 25),
                List.of("A.example.test"), Duration.ofHours(1), null).validated(256, 1000);
        assertThat(valid.targets()).containsExactly("127.0.0.1", "example.test", "192.0.2.0/24", "::1");
        assertThat(valid.ports()).containsExactly(443, 25);
        assertThat(valid.serverNames()).containsExactly("a.example.test");
        assertThat(valid.concurrency()).isEqualTo(ScanSpec.DEFAULT_CONCURRENCY);
        assertThat(valid.ratePerSecond()).isEqualTo(ScanSpec.DEFAULT_RATE);
    }

    @Test
    void thePortsThatSpeakStartTlsAreScannedWithIt() {
        assertThat(List.of(25, 587, 143, 389, 443, 636).stream().map(EndpointProtocol::forPort)).containsExactly(EndpointProtocol.SMTP,
                EndpointProtocol.SMTP, EndpointProtocol.IMAP, EndpointProtocol.LDAP, EndpointProtocol.TLS, EndpointProtocol.TLS);
    }
}
