package dev.certwright.upstream;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.InternetAddresses;
import dev.certwright.platform.StartupException;

/**
 * {@code certwright.upstream.*}.
 *
 * @param allowedHosts host names and CIDR ranges an upstream directory may be reached at although they are loopback,
 *     private, link-local or otherwise not public (decision 50); empty by default, so only public addresses are used
 * @param timeout the connect and read timeout of each request to the upstream
 * @param orderTimeout how long one order may take, challenges and finalization included
 * @param ariInterval how often a node looks for certificates whose ARI renewalInfo is due to be polled again
 * @param ariPollMin the shortest time between two polls of one certificate, whatever the upstream's Retry-After says
 * @param ariPollMax the longest time between two polls, and the time used when the upstream gives no Retry-After
 */
@ConfigurationProperties("certwright.upstream")
public record UpstreamProperties(List<String> allowedHosts, @DefaultValue("PT30S") Duration timeout,
        @DefaultValue("PT3M") Duration orderTimeout, @DefaultValue("PT5M") Duration ariInterval, @DefaultValue("PT1M") Duration ariPollMin,
        @DefaultValue("P1D") Duration ariPollMax) {

    public UpstreamProperties {
        allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(String::trim).filter(h -> !h.isEmpty()).toList();
        if (ariInterval.isNegative() || ariInterval.isZero() || ariPollMin.isNegative() || ariPollMax.compareTo(ariPollMin) < 0) {
            throw new StartupException("certwright.upstream: ari-interval must be positive, and ari-poll-max at least ari-poll-min");
        }
        for (String host : allowedHosts) {
            if (host.contains("/") && InternetAddresses.Cidr.parse(host).isEmpty()) {
                throw new StartupException("certwright.upstream.allowed-hosts must list host names and CIDR ranges such as 127.0.0.1/32, not '"
                        + host + "'");
            }
        }
    }
}
