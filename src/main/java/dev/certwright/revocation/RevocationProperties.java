package dev.certwright.revocation;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/** Settings of CRL publication and of the OCSP responder. */
final class RevocationProperties {

    private RevocationProperties() {
    }

    /**
     * {@code certwright.crl.*}.
     *
     * @param validity a full CRL's life (thisUpdate to nextUpdate); it is republished at half-life
     * @param deltaValidity a delta CRL's life; also republished at half-life
     * @param publishDelay the longest a revocation waits before both CRLs list it
     */
    @ConfigurationProperties("certwright.crl")
    record Crl(@DefaultValue("P7D") Duration validity, @DefaultValue("P1D") Duration deltaValidity,
            @DefaultValue("PT30S") Duration publishDelay) {

        Crl {
            atLeast("certwright.crl.validity", validity, Duration.ofMinutes(2));
            atLeast("certwright.crl.delta-validity", deltaValidity, Duration.ofMinutes(2));
            atLeast("certwright.crl.publish-delay", publishDelay, Duration.ofSeconds(1));
        }

        /** How often the publishing job looks: a third of the publish delay, at most every 10 s. */
        Duration checkInterval() {
            Duration third = publishDelay.dividedBy(3);
            return third.compareTo(Duration.ofSeconds(10)) > 0 ? Duration.ofSeconds(10) : third.compareTo(Duration.ofMillis(500)) < 0
                    ? Duration.ofMillis(500) : third;
        }
    }

    /**
     * {@code certwright.ocsp.*}.
     *
     * @param validity a response's life (thisUpdate to nextUpdate); pre-signed responses are refreshed at half-life
     * @param responderValidity the life of a delegated responder certificate; it is replaced at half-life
     * @param presignInterval how often the pre-signing job runs
     * @param cacheTtl how long a node keeps a response in memory; bounds how stale another node's answer may be
     * @param maxRequestBytes the largest OCSP request body accepted
     */
    @ConfigurationProperties("certwright.ocsp")
    record Ocsp(@DefaultValue("P1D") Duration validity, @DefaultValue("P14D") Duration responderValidity,
            @DefaultValue("PT1M") Duration presignInterval, @DefaultValue("PT0.5S") Duration cacheTtl,
            @DefaultValue("65536") int maxRequestBytes) {

        Ocsp {
            atLeast("certwright.ocsp.validity", validity, Duration.ofMinutes(1));
            atLeast("certwright.ocsp.responder-validity", responderValidity, Duration.ofHours(1));
            if (responderValidity.compareTo(validity.multipliedBy(2)) < 0) {
                throw new StartupException("certwright.ocsp.responder-validity must be at least twice certwright.ocsp.validity ("
                        + validity + "), not " + responderValidity);
            }
            atLeast("certwright.ocsp.presign-interval", presignInterval, Duration.ofSeconds(1));
            if (cacheTtl.isNegative() || cacheTtl.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new StartupException("certwright.ocsp.cache-ttl must be from PT0S to PT1S, so that a revocation reaches every node "
                        + "within a second, not " + cacheTtl);
            }
            if (maxRequestBytes < 256 || maxRequestBytes > 1 << 20) {
                throw new StartupException("certwright.ocsp.max-request-bytes must be from 256 to 1048576, not " + maxRequestBytes);
            }
        }
    }

    private static void atLeast(String key, Duration value, Duration minimum) {
        if (value == null || value.compareTo(minimum) < 0) {
            throw new StartupException(key + " must be an ISO-8601 duration of at least " + minimum + ", not " + value);
        }
    }
}
