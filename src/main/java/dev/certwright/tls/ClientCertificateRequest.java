package dev.certwright.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.apache.tomcat.util.net.SSLUtil;
import org.apache.tomcat.util.net.jsse.JSSEImplementation;
import org.apache.tomcat.util.net.jsse.JSSEUtil;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Lets a service authenticate with its own managed certificate, as step-ca's renew-by-mTLS does. The HTTPS listener
 * asks every client for a certificate without requiring one ({@code server.ssl.client-auth=want}), and lets any
 * certificate through the handshake: the handshake proves the client holds its key (RFC 8446 §4.4.3), and the API
 * then accepts only the exact certificate it stored for a managed slot (module delivery). Chain validation here would
 * add nothing to that exact match, and the JDK's own would refuse the serverAuth-only certificates most services hold
 * (it demands the clientAuth extended key usage, RFC 5280 §4.2.1.12).
 * <p>
 * Tomcat makes its SSL objects from class names, and Spring Boot rebuilds the host configuration each time the server
 * certificate is renewed; the implementation is therefore set on the protocol, which both leave alone.
 */
@Component
class ClientCertificateRequest implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addConnectorCustomizers(connector -> {
            if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> protocol) {
                protocol.setSslImplementationName(AnyClientCertificate.class.getName());
            }
        });
    }

    /** Tomcat's JSSE implementation with a trust manager that leaves the judgement of client certificates to the API. */
    public static class AnyClientCertificate extends JSSEImplementation {

        @Override
        public SSLUtil getSSLUtil(SSLHostConfigCertificate certificate) {
            return new JSSEUtil(certificate) {
                @Override
                public TrustManager[] getTrustManagers() {
                    return new TrustManager[] {new ClientCertificateTrust()};
                }
            };
        }
    }

    /** Accepts any client chain with a leaf; never trusts a server (this trust manager serves only the listener). */
    static final class ClientCertificateTrust extends X509ExtendedTrustManager {

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no client certificate");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the HTTPS listener trusts no server");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            // No certificate_authorities hint (RFC 8446 §4.2.4): a client sends the certificate it was given.
            return new X509Certificate[0];
        }
    }
}
