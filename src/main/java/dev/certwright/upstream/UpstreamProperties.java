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
 */
@ConfigurationProperties("certwright.upstream")
public record UpstreamProperties(List<String> allowedHosts, @DefaultValue("PT30S") Duration timeout,
        @DefaultValue("PT3M") Duration orderTimeout) {

    public UpstreamProperties {
        allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(String::trim).filter(h -> !h.isEmpty()).toList();
        for (String host : allowedHosts) {
            if (host.contains("/") && InternetAddresses.Cidr.parse(host).isEmpty()) {
                throw new StartupException("certwright.upstream.allowed-hosts must list host names and CIDR ranges such as 127.0.0.1/32, not '"
                        + host + "'");
            }
        }
    }
}
