package dev.certwright.policy;

import java.time.Duration;
import java.util.List;

/**
 * A certificate profile: which issuer signs, which extended key usages it carries, and the validity bounds.
 *
 * @param extendedKeyUsages names from RFC 5280 §4.2.1.12: serverAuth, clientAuth, codeSigning, emailProtection,
 *     timeStamping, OCSPSigning
 * @param renewBefore how long before expiry a managed certificate of this profile renews; null means a third of
 *     its validity
 * @param acme whether ACME clients may ask for this profile
 * @param upstream the upstream ACME CA that issues this profile's certificates instead of an issuer of ours, or null
 *     (then {@code issuer} is null)
 */
public record Profile(String name, String issuer, List<String> extendedKeyUsages, Duration minValidity,
        Duration maxValidity, Duration defaultValidity, Duration renewBefore, boolean acme, String upstream) {

    /** A profile signed by one of our issuers. */
    public Profile(String name, String issuer, List<String> extendedKeyUsages, Duration minValidity,
            Duration maxValidity, Duration defaultValidity, Duration renewBefore, boolean acme) {
        this(name, issuer, extendedKeyUsages, minValidity, maxValidity, defaultValidity, renewBefore, acme, null);
    }

    /** The validity a request gets: the one asked for, else the default; refused outside [min, max]. */
    public Duration validityFor(Duration requested) {
        Duration validity = requested == null ? defaultValidity : requested;
        if (validity.compareTo(minValidity) < 0 || validity.compareTo(maxValidity) > 0) {
            throw new PolicyException(PolicyException.Type.BAD_VALIDITY, "validity " + validity + " is outside profile '"
                    + name + "' bounds [" + minValidity + ", " + maxValidity + "]");
        }
        return validity;
    }
}
