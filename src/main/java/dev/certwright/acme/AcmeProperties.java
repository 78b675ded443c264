package dev.certwright.acme;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.acme.*}.
 *
 * @param http01Port the port http-01 validation connects to (RFC 8555 §8.3 says 80; labs and tests move it)
 * @param tlsAlpn01Port the port tls-alpn-01 validation connects to (RFC 8737 says 443)
 * @param dnsResolver host:port of the DNS server that validation asks, for names and TXT records; empty: the system's
 * @param termsOfService the URL offered as meta.termsOfService, if any
 * @param orderValidity how long an order and its authorizations stay pending
 * @param validationTimeout the limit of one validation attempt
 * @param validationAttempts how many times a challenge is tried before it is invalid
 */
@ConfigurationProperties("certwright.acme")
public record AcmeProperties(@DefaultValue("80") int http01Port, @DefaultValue("443") int tlsAlpn01Port, String dnsResolver,
        String termsOfService, @DefaultValue("P1D") Duration orderValidity, @DefaultValue("PT10S") Duration validationTimeout,
        @DefaultValue("3") int validationAttempts) {

    public AcmeProperties {
        if (http01Port < 1 || http01Port > 65535) {
            throw new StartupException("certwright.acme.http01-port must be from 1 to 65535, not " + http01Port);
        }
        if (tlsAlpn01Port < 1 || tlsAlpn01Port > 65535) {
            throw new StartupException("certwright.acme.tls-alpn01-port must be from 1 to 65535, not " + tlsAlpn01Port);
        }
        if (dnsResolver != null && !dnsResolver.isBlank() && !dnsResolver.matches("[A-Za-z0-9.:\\[\\]-]+:\\d{1,5}")) {
            throw new StartupException("certwright.acme.dns-resolver must be host:port, such as 127.0.0.1:8053, not '" + dnsResolver + "'");
        }
        if (orderValidity.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new StartupException("certwright.acme.order-validity must be at least PT1M, not " + orderValidity);
        }
        if (validationAttempts < 1 || validationAttempts > 10) {
            throw new StartupException("certwright.acme.validation-attempts must be from 1 to 10, not " + validationAttempts);
        }
    }
}
