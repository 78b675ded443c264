package dev.certwright.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The SNI name the deployer's TLS probe sends, which discovery's drift finding must match (decision 75). */
class ProbeServerNameTest {

    static String sent(String host, String serverName) {
        return DeploymentQueries.sentServerName(new DeployTarget.Probe(host, 443, serverName));
    }

    @Test
    void theProbesServerNameWhenItHasOne() {
        assertThat(sent("10.0.0.5", "www.example.test")).isEqualTo("www.example.test");
    }

    @Test
    void elseTheHostWhenJsseWouldNameIt() {
        assertThat(sent("web.example.test", null)).isEqualTo("web.example.test");
        assertThat(sent("web.example.test.", "")).isEqualTo("web.example.test");
        assertThat(sent("localhost", null)).as("no dot").isNull();
        assertThat(sent("127.0.0.1", null)).as("an IPv4 literal").isNull();
        assertThat(sent("::1", null)).as("an IPv6 literal").isNull();
    }
}
