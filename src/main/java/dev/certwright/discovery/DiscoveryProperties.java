package dev.certwright.discovery;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * {@code certwright.discovery.*}.
 *
 * @param allowedNetworks the CIDR ranges a scan may reach, checked after DNS resolution; empty (the default): none
 * @param maxAddresses the most addresses one scan may expand to (a CIDR larger than this is refused)
 * @param timeout how long one endpoint's connect, STARTTLS and handshake may take together
 * @param runInterval how often the run job looks for queued runs and due scheduled scans
 * @param maxConcurrency the most handshakes one run may have in flight, whatever the scan asks
 * @param maxRatePerSecond the most handshakes one run may start per second, whatever the scan asks
 * @param staleAfter how long a RUNNING run's heartbeat may stand still before the run is taken to be a dead node's and
 *        queued again; more than {@code timeout} plus the runner's ten-second heartbeat
 * @param starttlsPorts more ports that speak STARTTLS, and in which protocol (beside 25 and 587 SMTP, 143 IMAP, 389 LDAP)
 */
@Validated
@ConfigurationProperties("certwright.discovery")
record DiscoveryProperties(
        @NotNull @DefaultValue List<String> allowedNetworks,
        @Min(1) @Max(16_777_216) @DefaultValue("65536") int maxAddresses,
        @NotNull @DefaultValue("PT5S") Duration timeout,
        @NotNull @DefaultValue("PT5S") Duration runInterval,
        @Min(1) @Max(4096) @DefaultValue("256") int maxConcurrency,
        @Min(1) @Max(100_000) @DefaultValue("1000") int maxRatePerSecond,
        @NotNull @DefaultValue java.util.Map<Integer, EndpointProtocol> starttlsPorts,
        @NotNull @DefaultValue("PT1M") Duration staleAfter) {

    DiscoveryProperties {
        // Bad configuration stops startup with one sentence naming the key.
        new ScanTargets(allowedNetworks == null ? List.of() : allowedNetworks, Math.max(1, maxAddresses));
        if (staleAfter != null && timeout != null && staleAfter.compareTo(timeout.plus(ScanRunner.HEARTBEAT)) <= 0) {
            throw new IllegalArgumentException("certwright.discovery.stale-after (" + staleAfter + ") must be longer than certwright.discovery.timeout ("
                    + timeout + ") plus the runner's heartbeat (" + ScanRunner.HEARTBEAT + ")");
        }
    }
}
