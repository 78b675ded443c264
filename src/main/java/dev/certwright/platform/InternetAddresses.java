package dev.certwright.platform;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;

/**
 * Which addresses an outbound request made on a user's behalf may reach. Certwright connects out for webhooks (any
 * URL an operator saves) and for ACME validation (any name a client orders): without a rule, both are a way to probe
 * the network the server sits in. This class names the ranges that are not "the public internet" (RFC 6890 special
 * purpose registry: loopback, link-local with cloud metadata at 169.254.169.254, RFC 1918 and RFC 4193 private, RFC 6598
 * shared CGNAT space, unspecified, multicast, reserved) and matches CIDR ranges for allow lists.
 */
public final class InternetAddresses {

    private InternetAddresses() {
    }

    /** Why an address is not public, or empty when it is. IPv4-mapped and IPv4-compatible IPv6 forms count as IPv4. */
    public static Optional<String> nonPublicReason(InetAddress address) {
        InetAddress a = embeddedIpv4(address).map(InetAddress.class::cast).orElse(address);
        if (a.isAnyLocalAddress()) {
            return Optional.of("unspecified");
        }
        if (a.isLoopbackAddress()) {
            return Optional.of("loopback");
        }
        if (a.isLinkLocalAddress()) {
            return Optional.of("link-local");
        }
        if (a.isMulticastAddress()) {
            return Optional.of("multicast");
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0) {
                return Optional.of("unspecified"); // RFC 1122 §3.2.1.3: 0.0.0.0/8, "this network"
            }
            if (first == 10 || (first == 172 && second >= 16 && second <= 31) || (first == 192 && second == 168)) {
                return Optional.of("private"); // RFC 1918
            }
            if (first == 100 && second >= 64 && second <= 127) {
                return Optional.of("private"); // RFC 6598: shared address space (CGNAT), 100.64.0.0/10
            }
            if (first >= 240) {
                return Optional.of("reserved"); // RFC 1112 §4: 240.0.0.0/4, and the limited broadcast address
            }
            return Optional.empty();
        }
        if ((b[0] & 0xfe) == 0xfc) {
            return Optional.of("private"); // RFC 4193: unique local addresses, fc00::/7
        }
        if (a.isSiteLocalAddress()) {
            return Optional.of("private"); // RFC 3879: deprecated site-local fec0::/10
        }
        return Optional.empty();
    }

    /** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or IPv4-compatible (::a.b.c.d) IPv6 address. */
    static Optional<Inet4Address> embeddedIpv4(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return Optional.of(v4);
        }
        byte[] b = address.getAddress();
        boolean zeros = Arrays.equals(Arrays.copyOf(b, 10), new byte[10]);
        boolean mapped = zeros && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
        boolean compatible = zeros && b[10] == 0 && b[11] == 0 && !Arrays.equals(Arrays.copyOfRange(b, 12, 16), new byte[4])
                && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] == 1); // ::1 and :: are IPv6 loopback and unspecified
        if (!mapped && !compatible) {
            return Optional.empty();
        }
        try {
            return Optional.of((Inet4Address) InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a text is an IP literal (IPv4 dotted quad, or IPv6 with or without brackets), so that no lookup is needed. */
    public static boolean isLiteral(String host) {
        String bare = bare(host);
        return bare.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") || (bare.contains(":") && bare.matches("[0-9A-Fa-f:.]+"));
    }

    /** A host without IPv6 brackets. */
    public static String bare(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    /** A CIDR range (10.0.0.0/8, fd00::/8) or a single address. */
    public record Cidr(InetAddress network, int prefix) {

        /** Parses a CIDR, or empty when the text is not one (it may be a host name). */
        public static Optional<Cidr> parse(String text) {
            int slash = text.indexOf('/');
            String address = bare(slash < 0 ? text : text.substring(0, slash));
            if (!isLiteral(address)) {
                return Optional.empty();
            }
            try {
                InetAddress network = InetAddress.getByName(address);
                int max = network.getAddress().length * 8;
                int prefix = slash < 0 ? max : Integer.parseInt(text.substring(slash + 1));
                if (prefix < 0 || prefix > max) {
                    return Optional.empty();
                }
                return Optional.of(new Cidr(network, prefix));
            } catch (UnknownHostException | NumberFormatException e) {
                return Optional.empty();
            }
        }

        /** Whether an address (or the IPv4 address an IPv6 one embeds) lies in this range. */
        public boolean contains(InetAddress address) {
            InetAddress a = network instanceof Inet4Address ? embeddedIpv4(address).map(InetAddress.class::cast).orElse(address) : address;
            if (a.getAddress().length != network.getAddress().length) {
                return false;
            }
            int bits = network.getAddress().length * 8;
            BigInteger mask = BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE).shiftRight(prefix).not()
                    .and(BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE));
            return new BigInteger(1, a.getAddress()).and(mask).equals(new BigInteger(1, network.getAddress()).and(mask));
        }
    }

}
