package dev.certwright.policy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.crypto.params.RSAKeyParameters;

import dev.certwright.x509.KeySpec;

/**
 * Checks a certificate request against its profile and the policy. It is pure: the configuration is all it reads.
 * The configuration is replaced as a whole when ca-config is reloaded ({@link #replace}); checks that start after
 * that read the new one.
 */
public class IssuancePolicy {

    /** More names than this in one certificate is a mistake or an attack, not a need. */
    public static final int MAX_NAMES = 100;

    private static final BigInteger F4 = BigInteger.valueOf(65537);

    private volatile CaConfiguration configuration;

    public IssuancePolicy(CaConfiguration configuration) {
        this.configuration = configuration;
    }

    /** The configuration now in force. */
    public CaConfiguration configuration() {
        return configuration;
    }

    /** Makes a reloaded configuration the one in force on this node (the caller has checked it against the CA). */
    public void replace(CaConfiguration reloaded) {
        this.configuration = java.util.Objects.requireNonNull(reloaded);
    }

    /** The named profile, or UNKNOWN_PROFILE. */
    public Profile profile(String name) {
        return configuration.profile(name).orElseThrow(() -> new PolicyException(PolicyException.Type.UNKNOWN_PROFILE,
                "profile '" + NamePolicy.shorten(name) + "' does not exist; known: " + String.join(", ", configuration.profiles().keySet())));
    }

    /**
     * Checks names, key and validity. The common name, when given, must be a DNS name or IP address and is certified
     * as a SAN too (CA/B BR §7.1.4.3: the CN, if present, repeats a SAN).
     */
    public ApprovedRequest check(String profileName, String commonName, Collection<String> dnsNames,
            Collection<String> ipAddresses, PublicKey key, Duration requestedValidity) {
        Profile profile = profile(profileName);
        Set<String> dns = new LinkedHashSet<>();
        Set<String> ips = new LinkedHashSet<>();
        for (String name : dnsNames) {
            dns.add(NamePolicy.normaliseDnsName(name));
        }
        for (String ip : ipAddresses) {
            ips.add(ipText(ip));
        }
        String cn = null;
        if (commonName != null && !commonName.isBlank()) {
            if (IpLiteral.isLiteral(commonName)) {
                cn = ipText(commonName);
                ips.add(cn);
            } else {
                cn = NamePolicy.normaliseDnsName(commonName);
                dns.add(cn);
            }
        }
        checkIdentifiers(dns, ips);
        KeySpec.KeyDescription description = checkKey(key);
        Duration validity = profile.validityFor(requestedValidity);
        return new ApprovedRequest(profile, cn, List.copyOf(dns), List.copyOf(ips), description, validity);
    }

    /**
     * Checks normalised DNS names and IP texts against the policy, without a key: what an ACME newOrder can be refused
     * for before any CSR exists.
     */
    public void checkIdentifiers(Collection<String> dns, Collection<String> ips) {
        NamePolicy policy = configuration.policy();
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new PolicyException(PolicyException.Type.BAD_REQUEST, "the request names no DNS name or IP address");
        }
        if (dns.size() + ips.size() > MAX_NAMES) {
            throw new PolicyException(PolicyException.Type.BAD_REQUEST, "the request names more than " + MAX_NAMES + " identifiers");
        }
        for (String name : dns) {
            if (!policy.allowsDnsName(name)) {
                throw new PolicyException(PolicyException.Type.REJECTED_IDENTIFIER, "DNS name '" + name
                        + "' is not allowed by policy (allowed: " + String.join(", ", policy.dnsPatterns()) + ")");
            }
        }
        for (String ip : ips) {
            if (!policy.allowsIp(IpLiteral.parse(ip))) {
                throw new PolicyException(PolicyException.Type.REJECTED_IDENTIFIER, "IP address '" + ip
                        + "' is not allowed by policy (allowed: " + String.join(", ", policy.ipRanges().stream().map(NamePolicy.IpRange::text).toList()) + ")");
            }
        }
    }

    /** Checks a public key's type, size, exponent and, for RSA, the weak-modulus tests. */
    public KeySpec.KeyDescription checkKey(PublicKey key) {
        NamePolicy policy = configuration.policy();
        KeySpec.KeyDescription description = KeySpec.describe(key);
        if (key instanceof RSAPublicKey rsa) {
            boolean rsaAllowed = policy.keyAlgorithms().stream().anyMatch(k -> k.startsWith("RSA-"));
            if (!rsaAllowed) {
                throw badKey("RSA keys are not allowed by policy");
            }
            if (description.bits() < policy.minRsaBits()) {
                throw badKey("RSA key of " + description.bits() + " bits is below the minimum of " + policy.minRsaBits());
            }
            if (description.bits() > policy.maxRsaBits()) {
                throw badKey("RSA key of " + description.bits() + " bits is above the maximum of " + policy.maxRsaBits());
            }
            if (!F4.equals(rsa.getPublicExponent())) {
                throw badKey("RSA public exponent " + rsa.getPublicExponent() + " is refused; only 65537 is allowed");
            }
            try {
                // Bouncy Castle refuses an even modulus or one with a small prime factor.
                new RSAKeyParameters(false, rsa.getModulus(), rsa.getPublicExponent());
            } catch (IllegalArgumentException e) {
                throw badKey("RSA key is weak: " + e.getMessage());
            }
            return description;
        }
        if (!policy.keyAlgorithms().contains(description.name())) {
            throw badKey("key algorithm " + description.name() + " is not allowed by policy (allowed: "
                    + String.join(", ", new java.util.TreeSet<>(policy.keyAlgorithms())) + ")");
        }
        return description;
    }

    private static PolicyException badKey(String message) {
        return new PolicyException(PolicyException.Type.BAD_KEY, message);
    }

    private static String ipText(String text) {
        try {
            InetAddress address = IpLiteral.parse(text == null ? "" : text.trim());
            return dev.certwright.x509.IpAddresses.canonical(address);
        } catch (IllegalArgumentException e) {
            throw new PolicyException(PolicyException.Type.REJECTED_IDENTIFIER, e.getMessage());
        }
    }
}
