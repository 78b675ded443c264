package dev.certwright.upstream.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.certwright.upstream.UpstreamProperties;

/** The outbound rule for upstream directories (decision 50) and the dns-01 server address forms. */
class UpstreamRulesTest {

    private final UpstreamSessions strict = new UpstreamSessions(properties(List.of()));
    private final UpstreamSessions loopbackAllowed = new UpstreamSessions(properties(List.of("127.0.0.0/8")));

    static UpstreamProperties properties(List<String> allowedHosts) {
        return new UpstreamProperties(allowedHosts, Duration.ofSeconds(5), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(1),
                Duration.ofDays(1));
    }

    @ParameterizedTest(name = "{0}: strict refuses={1}, with 127.0.0.0/8 allowed refuses={2}")
    @CsvSource({
            "https://127.0.0.1:14000/dir, true, false",
            "http://127.0.0.1:14000/dir, true, false",
            "https://169.254.169.254/latest, true, true",
            "https://10.1.2.3/dir, true, true",
            "https://user@127.0.0.1/dir, true, true",
            "http://8.8.8.8/dir, true, true",
            "https://8.8.8.8/dir, false, false"})
    void directoriesAreReachedOnlyOnPublicOrListedAddresses(String url, boolean strictRefuses, boolean allowedRefuses) throws Exception {
        assertThat(strict.refusal(URI.create(url).toURL())).as("strict").matches(r -> r.isPresent() == strictRefuses);
        assertThat(loopbackAllowed.refusal(URI.create(url).toURL())).as("loopback listed").matches(r -> r.isPresent() == allowedRefuses);
    }

    @ParameterizedTest(name = "{0} is {1} port {2}")
    @CsvSource({"127.0.0.1:5353, 127.0.0.1, 5353", "127.0.0.1, 127.0.0.1, 53", "'[::1]:5300', 0:0:0:0:0:0:0:1, 5300", "::1, 0:0:0:0:0:0:0:1, 53"})
    void dnsServerAddressesParse(String server, String host, int port) {
        InetSocketAddress address = Dns01Updates.address(server);
        assertThat(address.getAddress().getHostAddress()).isEqualTo(host);
        assertThat(address.getPort()).isEqualTo(port);
    }
}
