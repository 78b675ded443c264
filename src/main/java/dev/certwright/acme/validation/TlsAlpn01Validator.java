package dev.certwright.acme.validation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;

import java.util.Collection;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.bouncycastle.asn1.ASN1OctetString;
import org.springframework.stereotype.Component;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.domain.IdentifierType;

/**
 * tls-alpn-01 (RFC 8737 §3): a TLS handshake offering only the "acme-tls/1" protocol, with the identifier as SNI (for
 * an IP address, its reverse name, RFC 8738 §6). The certificate presented must name exactly the identifier and carry
 * the critical acmeIdentifier extension holding SHA-256 of the key authorization. The certificate is self-signed by
 * design, so it is checked by these rules, not by a trust store.
 */
@Component
class TlsAlpn01Validator {

    static final String ACME_TLS_1 = "acme-tls/1";
    static final String ACME_IDENTIFIER_OID = "1.3.6.1.5.5.7.1.31";

    private final AcmeProperties properties;
    private final NameResolver resolver;

    TlsAlpn01Validator(AcmeProperties properties, NameResolver resolver) {
        this.properties = properties;
        this.resolver = resolver;
    }

    void validate(Identifier identifier, String keyAuthorization) throws ValidationFailure {
        boolean ip = identifier.type() == IdentifierType.IP;
        List<InetAddress> addresses;
        try {
            addresses = ip ? List.of(InetAddress.getByName(identifier.value())) : resolver.addresses(identifier.value());
        } catch (IOException e) {
            throw new ValidationFailure("malformed", "'" + identifier.value() + "' is not an IP address");
        }
        // Only the configured port (RFC 8737 §3: 443), only to addresses validation may reach (NameResolver.reachable).
        addresses = NameResolver.reachable(identifier.value(), addresses);
        int timeout = (int) properties.validationTimeout().toMillis();
        X509Certificate certificate;
        try (SSLSocket socket = (SSLSocket) context().getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress(addresses.get(0), properties.tlsAlpn01Port()), timeout);
            socket.setSoTimeout(timeout);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(ip ? reverseName(addresses.get(0)) : identifier.value())));
            parameters.setApplicationProtocols(new String[] {ACME_TLS_1});
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            if (!ACME_TLS_1.equals(socket.getApplicationProtocol())) {
                throw new ValidationFailure("tls", "the server did not negotiate " + ACME_TLS_1, addresses.get(0).getHostAddress() + ":"
                        + properties.tlsAlpn01Port() + " negotiated '" + socket.getApplicationProtocol() + "'");
            }
            certificate = (X509Certificate) socket.getSession().getPeerCertificates()[0];
        } catch (IOException e) {
            // Generic words: whether the port was closed, filtered or spoke something else is not the client's to learn.
            throw new ValidationFailure("tls", "the tls-alpn-01 handshake with " + identifier.value() + " failed", "TLS handshake with "
                    + addresses.get(0).getHostAddress() + ":" + properties.tlsAlpn01Port() + " failed: " + e);
        }
        checkCertificate(certificate, identifier, keyAuthorization);
    }

    static void checkCertificate(X509Certificate certificate, Identifier identifier, String keyAuthorization) throws ValidationFailure {
        try {
            Collection<List<?>> sans = certificate.getSubjectAlternativeNames();
            int wanted = identifier.type() == IdentifierType.IP ? 7 : 2;
            boolean matches = sans != null && sans.size() == 1 && sans.stream().allMatch(san -> ((Integer) san.get(0)) == wanted
                    && sameName(san.get(1).toString(), identifier));
            if (!matches) {
                throw new ValidationFailure("incorrectResponse", "the certificate must name exactly " + identifier.value());
            }
            byte[] extension = certificate.getExtensionValue(ACME_IDENTIFIER_OID);
            if (extension == null || certificate.getCriticalExtensionOIDs() == null
                    || !certificate.getCriticalExtensionOIDs().contains(ACME_IDENTIFIER_OID)) {
                throw new ValidationFailure("incorrectResponse", "the certificate has no critical acmeIdentifier extension");
            }
            byte[] value = ASN1OctetString.getInstance(ASN1OctetString.getInstance(extension).getOctets()).getOctets();
            byte[] expected = MessageDigest.getInstance("SHA-256").digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII));
            if (!MessageDigest.isEqual(value, expected)) {
                throw new ValidationFailure("incorrectResponse", "the acmeIdentifier extension does not hold the key authorization digest");
            }
        } catch (ValidationFailure e) {
            throw e;
        } catch (Exception e) {
            throw new ValidationFailure("incorrectResponse", "the tls-alpn-01 certificate cannot be read", "the certificate cannot be read: " + e);
        }
    }

    private static boolean sameName(String san, Identifier identifier) {
        if (identifier.type() == IdentifierType.IP) {
            try {
                return InetAddress.getByName(san).equals(InetAddress.getByName(identifier.value()));
            } catch (IOException e) {
                return false;
            }
        }
        return san.equalsIgnoreCase(identifier.value());
    }

    /** RFC 8738 §6: the in-addr.arpa or ip6.arpa name of an address. */
    static String reverseName(InetAddress address) {
        byte[] bytes = address.getAddress();
        StringBuilder out = new StringBuilder();
        if (bytes.length == 4) {
            for (int i = 3; i >= 0; i--) {
                out.append(bytes[i] & 0xff).append('.');
            }
            return out.append("in-addr.arpa").toString();
        }
        for (int i = bytes.length - 1; i >= 0; i--) {
            out.append(Character.forDigit(bytes[i] & 0xf, 16)).append('.').append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append('.');
        }
        return out.append("ip6.arpa").toString();
    }

    private static SSLContext context() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                    // RFC 8737 §3: the validation certificate is self-signed; checkCertificate applies the RFC's rules.
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

}
