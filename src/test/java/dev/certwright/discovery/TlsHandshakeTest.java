package dev.certwright.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import dev.certwright.support.DiscoveryPeers;
import dev.certwright.support.DiscoveryPeers.OpensslServer;
import dev.certwright.support.DiscoveryPeers.Plaintext;
import dev.certwright.support.DiscoveryPeers.StartTlsFront;
import dev.certwright.support.Ports;

/** The handshake against a real openssl s_server on loopback: by SNI, without it, and behind SMTP, IMAP and LDAP STARTTLS. */
class TlsHandshakeTest {

    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    static Path dir;
    static OpensslServer server;

    @BeforeAll
    static void start() throws IOException {
        DiscoveryPeers.require("/usr/bin/openssl");
        DiscoveryPeers.selfSigned(dir, "default", "default.test");
        DiscoveryPeers.selfSigned(dir, "other", "other.test");
        server = OpensslServer.start(dir, "default", "other.test", "other");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static String cn(X509Certificate c) {
        return c.getSubjectX500Principal().getName();
    }

    @Test
    void withoutSniTheServerPresentsItsDefaultAndWithItTheNamedCertificate() throws IOException {
        assertThat(cn(TlsHandshake.handshake(LOOPBACK, server.port, null, EndpointProtocol.TLS, TIMEOUT).chain().getFirst())).isEqualTo("CN=default.test");
        assertThat(cn(TlsHandshake.handshake(LOOPBACK, server.port, "other.test", EndpointProtocol.TLS, TIMEOUT).chain().getFirst()))
                .isEqualTo("CN=other.test");
    }

    @ParameterizedTest
    @EnumSource(Plaintext.class)
    void startTlsReachesTheCertificateBehindThePlaintextProtocol(Plaintext protocol) throws IOException {
        try (StartTlsFront front = new StartTlsFront(protocol, server.port)) {
            TlsHandshake.Served served = TlsHandshake.handshake(LOOPBACK, front.port, null, EndpointProtocol.valueOf(protocol.name()), TIMEOUT);
            assertThat(cn(served.chain().getFirst())).isEqualTo("CN=default.test");
        }
    }

    @Test
    void aServerThatSaysNothingTimesOut() throws IOException {
        try (Ports.BlackHole hole = new Ports.BlackHole()) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> TlsHandshake.handshake(LOOPBACK, hole.port(), null, EndpointProtocol.SMTP, Duration.ofMillis(500)))
                    .isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }
}
