package dev.certwright.deploy.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.deploy.*}.
 *
 * @param concurrency how many targets one node deploys to at once
 * @param connectTimeout limit for the TCP connection, SSH key exchange and authentication together
 * @param commandTimeout limit for the reload command (and for each on-host openssl command)
 * @param probeTimeout how long the probe may wait for the endpoint to serve the new certificate after the reload
 * @param lease how long a node holds a deployment it runs; a node that stops leaves it to another after this
 * @param maxAttempts attempts per instance and target; after the last failure the owner is told
 * @param retryBackoff the wait before the second attempt, doubling after each further failure (at most an hour)
 * @param queueInterval how often the queue is scanned for due deployments (a new instance is deployed at once anyway)
 * @param driftInterval how often every target is probed for what it serves
 */
@ConfigurationProperties("certwright.deploy")
record DeployProperties(@DefaultValue("4") int concurrency, @DefaultValue("PT10S") Duration connectTimeout,
        @DefaultValue("PT60S") Duration commandTimeout, @DefaultValue("PT30S") Duration probeTimeout, @DefaultValue("PT5M") Duration lease,
        @DefaultValue("3") int maxAttempts, @DefaultValue("PT1M") Duration retryBackoff, @DefaultValue("PT10S") Duration queueInterval,
        @DefaultValue("PT15M") Duration driftInterval) {

    DeployProperties {
        for (Duration d : new Duration[] {connectTimeout, commandTimeout, probeTimeout, lease, retryBackoff, queueInterval, driftInterval}) {
            if (d.isNegative() || d.isZero()) {
                throw new StartupException("certwright.deploy: every timeout and interval must be a positive ISO-8601 duration");
            }
        }
        if (concurrency < 1 || concurrency > 64 || maxAttempts < 1) {
            throw new StartupException("certwright.deploy.concurrency must be within [1, 64] and certwright.deploy.max-attempts at least 1");
        }
        if (lease.compareTo(connectTimeout.plus(commandTimeout.multipliedBy(2)).plus(probeTimeout)) < 0) {
            throw new StartupException("certwright.deploy.lease must outlast one deployment: connect-timeout + 2 × command-timeout + probe-timeout");
        }
    }
}
