package dev.certwright.platform;

import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * Turns the certificate a client presented in the TLS handshake into an API principal. The handshake has proved that
 * the client holds the certificate's private key (RFC 8446 §4.4.3, CertificateVerify); whether the certificate is
 * worth anything is decided here, by the module that knows which certificates are whose.
 */
@FunctionalInterface
public interface ClientCertificateAuthenticator {

    /** The principal this certificate stands for, or empty when it stands for nobody. */
    Optional<ApiTokens.ApiPrincipal> authenticate(X509Certificate leaf);
}
