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
 * @param externalAccountRequired whether newAccount needs an external account binding (RFC 8555 §7.3.4)
 * @param ordersPerAccount how many orders one account may create within {@code ordersPerAccountWindow}
 * @param ordersPerAccountWindow that window
 * @param ordersPerIdentifier how many orders may name one identifier within {@code ordersPerIdentifierWindow}
 * @param ordersPerIdentifierWindow that window
 * @param challengeAnswerWait how long the answer to a challenge's POST waits for the first validation attempt, so that a
 *        fast validation is answered {@code valid} at once and the client's first poll finds it done (PT0S: answer at once)
 */
@ConfigurationProperties("certwright.acme")
public record AcmeProperties(@DefaultValue("80") int http01Port, @DefaultValue("443") int tlsAlpn01Port, String dnsResolver,
        String termsOfService, @DefaultValue("P1D") Duration orderValidity, @DefaultValue("PT10S") Duration validationTimeout,
        @DefaultValue("3") int validationAttempts, @DefaultValue("false") boolean externalAccountRequired,
        @DefaultValue("300") int ordersPerAccount, @DefaultValue("PT1H") Duration ordersPerAccountWindow,
        @DefaultValue("100") int ordersPerIdentifier, @DefaultValue("P1D") Duration ordersPerIdentifierWindow,
        @DefaultValue("PT0.5S") Duration challengeAnswerWait) {

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
        if (ordersPerAccount < 1 || ordersPerIdentifier < 1) {
            throw new StartupException("certwright.acme.orders-per-account and certwright.acme.orders-per-identifier must be at least 1");
        }
        if (ordersPerAccountWindow.isNegative() || ordersPerAccountWindow.isZero() || ordersPerIdentifierWindow.isNegative()
                || ordersPerIdentifierWindow.isZero()) {
            throw new StartupException("certwright.acme.orders-per-account-window and orders-per-identifier-window must be positive durations");
        }
        if (challengeAnswerWait.isNegative() || challengeAnswerWait.compareTo(Duration.ofSeconds(5)) > 0) {
            throw new StartupException("certwright.acme.challenge-answer-wait must be from PT0S to PT5S, not " + challengeAnswerWait);
        }
        if (validationAttempts < 1 || validationAttempts > 10) {
            throw new StartupException("certwright.acme.validation-attempts must be from 1 to 10, not " + validationAttempts);
        }
    }
}
