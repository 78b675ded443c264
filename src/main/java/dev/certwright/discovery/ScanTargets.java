package dev.certwright.discovery;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import dev.certwright.platform.InternetAddresses;
import dev.certwright.platform.InternetAddresses.Cidr;
import dev.certwright.x509.IpAddresses;

/**
 * A scan's targets turned into the addresses it will connect to: host names resolved, CIDR ranges expanded, and each
 * address checked against {@code certwright.discovery.allowed-networks} after resolution, so that a name that resolves
 * somewhere else is refused as the address it is (decision 75; the allow-list matching of decision 50).
 */
final class ScanTargets {

    /** One address to scan, with the name the scan gave for it (the address itself for an IP or a CIDR). */
    record Address(String host, InetAddress address) {

        String text() {
            return IpAddresses.canonical(address);
        }
    }

    private final List<Cidr> allowed;
    private final int maxAddresses;

    ScanTargets(List<String> allowedNetworks, int maxAddresses) {
        this.allowed = allowedNetworks.stream().map(n -> Cidr.parse(n.strip()).orElseThrow(() -> new IllegalArgumentException(
                "certwright.discovery.allowed-networks: '" + n + "' is not a CIDR range or an IP address"))).toList();
        this.maxAddresses = maxAddresses;
    }

    /** Whether a target has the form of a host name, an IP address or a CIDR range (nothing is resolved). */
    static boolean wellFormed(String target) {
        if (target.contains("/")) {
            return Cidr.parse(target).isPresent();
        }
        return InternetAddresses.isLiteral(target) ? Cidr.parse(target).isPresent() : ScanSpec.HOST_NAME.matcher(target).matches();
    }

    /**
     * Every address the targets name, in order and without repeats; refused with NOT_ALLOWED when one lies outside
     * the allowed networks or a range has more than max-addresses, and with INVALID when a name does not resolve.
     */
    List<Address> resolve(List<String> targets) {
        Set<Address> out = new LinkedHashSet<>();
        for (String target : targets) {
            Optional<Cidr> cidr = target.contains("/") || InternetAddresses.isLiteral(target) ? Cidr.parse(target) : Optional.empty();
            if (cidr.isPresent()) {
                for (InetAddress a : expand(target, cidr.get())) {
                    out.add(new Address(IpAddresses.canonical(a), allowedOrRefuse(target, a)));
                }
            } else {
                try {
                    for (InetAddress a : InetAddress.getAllByName(target)) {
                        out.add(new Address(target, allowedOrRefuse(target, a)));
                    }
                } catch (UnknownHostException e) {
                    throw new DiscoveryException(DiscoveryException.Type.INVALID, "target '" + target + "' does not resolve");
                }
            }
            if (out.size() > maxAddresses) {
                throw new DiscoveryException(DiscoveryException.Type.NOT_ALLOWED, "the targets name more than " + maxAddresses
                        + " addresses (certwright.discovery.max-addresses)");
            }
        }
        return List.copyOf(out);
    }

    private List<InetAddress> expand(String target, Cidr cidr) {
        int bits = cidr.network().getAddress().length * 8;
        int hostBits = bits - cidr.prefix();
        if (hostBits > 31 || (1L << hostBits) > maxAddresses) {
            throw new DiscoveryException(DiscoveryException.Type.NOT_ALLOWED, "target '" + target + "' has more than " + maxAddresses
                    + " addresses (certwright.discovery.max-addresses)");
        }
        BigInteger mask = BigInteger.ONE.shiftLeft(hostBits).subtract(BigInteger.ONE).not();
        BigInteger first = new BigInteger(1, cidr.network().getAddress()).and(mask);
        List<InetAddress> addresses = new ArrayList<>();
        for (long i = 0; i < (1L << hostBits); i++) {
            addresses.add(toAddress(first.add(BigInteger.valueOf(i)), bits / 8));
        }
        return addresses;
    }

    private static InetAddress toAddress(BigInteger value, int length) {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[length];
        int copy = Math.min(raw.length, length);
        System.arraycopy(raw, raw.length - copy, bytes, length - copy, copy);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private InetAddress allowedOrRefuse(String target, InetAddress address) {
        if (allowed.stream().noneMatch(c -> c.contains(address))) {
            throw new DiscoveryException(DiscoveryException.Type.NOT_ALLOWED, "target '" + target + "' " + (target.equals(IpAddresses.canonical(address))
                    ? "is" : "resolves to " + IpAddresses.canonical(address) + ", which is") + " outside certwright.discovery.allowed-networks"
                    + (allowed.isEmpty() ? " (empty: nothing may be scanned until an admin names the networks)" : ""));
        }
        return address;
    }
}
