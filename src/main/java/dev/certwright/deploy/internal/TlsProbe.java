package dev.certwright.deploy.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.springframework.stereotype.Component;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.x509.AnyServerTrust;

/**
 * What an endpoint serves: a TLS handshake with the probe's SNI name, and the SHA-256 fingerprint of the leaf it
 * presented. The probe trusts every chain on purpose: it asks which certificate is served, not whether a client would
 * trust it, and compares the fingerprint with the one it expects.
 */
@Component
class TlsProbe {

    /** The served leaf's SHA-256 fingerprint, lowercase hex. */
    String servedFingerprint(DeployTarget.Probe probe, Duration timeout) throws IOException {
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(probe.host(), probe.port()), millis);
            plain.setSoTimeout(millis);
            try (SSLSocket socket = (SSLSocket) AnyServerTrust.socketFactory().createSocket(plain, probe.host(), probe.port(), true)) {
                SSLParameters parameters = socket.getSSLParameters();
                if (probe.serverName() != null && !probe.serverName().isBlank()) {
                    parameters.setServerNames(List.of(new SNIHostName(probe.serverName()))); // RFC 6066 §3
                }
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                Certificate[] chain = socket.getSession().getPeerCertificates();
                return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded()));
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS probe of " + probe.host() + ":" + probe.port() + " failed: " + e.getMessage(), e);
        }
    }
}
