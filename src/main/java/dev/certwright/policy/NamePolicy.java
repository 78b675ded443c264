package dev.certwright.policy;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What may be certified: DNS name patterns, IP ranges, key algorithms and the RSA size floor.
 *
 * <p>A DNS pattern is either an exact name ({@code localhost}) or {@code *.suffix}, which admits any name of one or
 * more labels under the suffix ({@code a.test}, {@code b.a.test}, and the wildcard {@code *.a.test}), but not the
 * suffix itself. This matches RFC 5280 §4.2.1.10 name constraints with a leading period.
 *
 * @param keyAlgorithms allowed request names ({@code EC-P256}, …); an RSA key of another size is allowed when
 *     {@code RSA} is allowed at any size and its size lies in [minRsaBits, maxRsaBits]
 */
public record NamePolicy(List<String> dnsPatterns, List<IpRange> ipRanges, Set<String> keyAlgorithms, int minRsaBits,
        int maxRsaBits) {

    /** RFC 1035 §2.3.1 LDH labels (RFC 1123 §2.1 allows a leading digit); at most 253 octets in all. */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    /** Normalises a DNS name (lowercase) and checks its syntax; a leading "*." wildcard label is allowed. */
    public static String normaliseDnsName(String name) {
        if (name == null || name.isEmpty() || name.length() > 253) {
            throw new PolicyException(PolicyException.Type.REJECTED_IDENTIFIER, "DNS name '" + shorten(name) + "' is empty or longer than 253 characters");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        String[] labels = lower.split("\\.", -1);
        for (int i = 0; i < labels.length; i++) {
            boolean wildcard = i == 0 && labels[i].equals("*") && labels.length > 2;
            if (!wildcard && !LABEL.matcher(labels[i]).matches()) {
                throw new PolicyException(PolicyException.Type.REJECTED_IDENTIFIER, "'" + shorten(name) + "' is not a valid DNS name");
            }
        }
        return lower;
    }

    /** True when the normalised name is allowed by some pattern. */
    public boolean allowsDnsName(String name) {
        for (String pattern : dnsPatterns) {
            if (pattern.startsWith("*.")) {
                String suffix = pattern.substring(1);
                if (name.endsWith(suffix) && name.length() > suffix.length() && !name.equals("*" + suffix)) {
                    return true;
                }
            } else if (pattern.equals(name)) {
                return true;
            }
        }
        return false;
    }

    public boolean allowsIp(InetAddress address) {
        return ipRanges.stream().anyMatch(r -> r.contains(address));
    }

    /** An IP network in CIDR notation. */
    public record IpRange(InetAddress network, int prefix, String text) {

        public static IpRange parse(String cidr) {
            String[] parts = cidr.split("/", 2);
            InetAddress address = IpLiteral.parse(parts[0].trim());
            int max = address.getAddress().length * 8;
            int prefix;
            try {
                prefix = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : max;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix length that is not a number");
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + max);
            }
            return new IpRange(address, prefix, cidr);
        }

        public boolean contains(InetAddress candidate) {
            byte[] a = network.getAddress();
            byte[] b = candidate.getAddress();
            if (a.length != b.length) {
                return false;
            }
            int bits = a.length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                    .shiftRight(prefix).xor(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
            return new BigInteger(1, a).and(mask).equals(new BigInteger(1, b).and(mask));
        }
    }

    static String shorten(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[\\p{Cntrl}]", "?");
        return printable.length() > 80 ? printable.substring(0, 80) + "…" : printable;
    }
}
