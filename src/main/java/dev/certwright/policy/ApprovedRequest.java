package dev.certwright.policy;

import java.time.Duration;
import java.util.List;

import dev.certwright.x509.KeySpec;

/**
 * A request the policy has accepted, normalised: lowercase DNS names without duplicates, canonical IP text, the
 * common name (one of the SANs, or null), the key's description and the validity to issue.
 */
public record ApprovedRequest(Profile profile, String commonName, List<String> dnsNames, List<String> ipAddresses,
        KeySpec.KeyDescription key, Duration validity) {
}
