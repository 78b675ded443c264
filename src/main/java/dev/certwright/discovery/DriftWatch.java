package dev.certwright.discovery;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.x509.Fingerprint;
import dev.certwright.x509.IpAddresses;

/**
 * The drift finding (decision 75): an endpoint a scan sees that is a Certwright deploy target's probe endpoint (same
 * port, the probe's host or one of its addresses, and the SNI name the deployer's probe sends) and serves a leaf that is
 * not the current certificate of any slot deploying there. Taken once per run from the deployer's targets and slots.
 */
final class DriftWatch {

    /** A probe endpoint: where the deployer looks, and the fingerprints it may find there. */
    private record Watched(String host, Set<String> addresses, int port, String serverName, Set<String> expected) {
    }

    private final List<Watched> watched;

    private DriftWatch(List<Watched> watched) {
        this.watched = watched;
    }

    static DriftWatch of(List<DeploymentQueries.ExpectedLeaf> leaves) {
        Map<List<Object>, Set<String>> byEndpoint = new HashMap<>();
        for (DeploymentQueries.ExpectedLeaf leaf : leaves) {
            List<Object> key = java.util.Arrays.asList(leaf.host().toLowerCase(Locale.ROOT), leaf.port(),
                    leaf.serverName() == null ? null : leaf.serverName().toLowerCase(Locale.ROOT));
            byEndpoint.computeIfAbsent(key, k -> new HashSet<>()).add(leaf.fingerprintSha256());
        }
        List<Watched> out = new ArrayList<>();
        byEndpoint.forEach((key, expected) -> {
            String host = (String) key.get(0);
            out.add(new Watched(host, addresses(host), (Integer) key.get(1), (String) key.get(2), expected));
        });
        return new DriftWatch(out);
    }

    /** Whether this sighting is a probe endpoint serving a leaf none of its slots' current certificates is. */
    boolean drifted(ScanTargets.Address at, int port, String serverName, X509Certificate leaf) {
        String sni = serverName == null ? null : serverName.toLowerCase(Locale.ROOT);
        String address = at.text();
        String fingerprint = null;
        for (Watched w : watched) {
            if (w.port() != port || !Objects.equals(w.serverName(), sni)) {
                continue;
            }
            if (!w.host().equalsIgnoreCase(at.host()) && !w.addresses().contains(address)) {
                continue;
            }
            if (fingerprint == null) {
                fingerprint = fingerprint(leaf);
            }
            if (!w.expected().contains(fingerprint)) {
                return true;
            }
        }
        return false;
    }

    /** The probe host's addresses, so that a scan naming an address or a CIDR finds the target too. */
    private static Set<String> addresses(String host) {
        Set<String> out = new HashSet<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                out.add(IpAddresses.canonical(a));
            }
        } catch (UnknownHostException e) {
            // Matched by its name only.
        }
        return out;
    }

    private static String fingerprint(X509Certificate leaf) {
        try {
            return Fingerprint.sha256(leaf.getEncoded()).sha256Hex();
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
