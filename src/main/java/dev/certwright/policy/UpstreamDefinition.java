package dev.certwright.policy;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;

/**
 * An upstream ACME CA (RFC 8555) that profiles may name with {@code upstream:} instead of {@code issuer}: its
 * directory, the trust it is pinned to, the external account binding, the contact and how its challenges are met.
 * Secrets are never held here, only the names of the environment variables that hold them.
 *
 * @param trustBundle PEM file of the CA certificates the directory's TLS must chain to; null means the JDK's
 * @param eab the external account binding (RFC 8555 §7.3.4), or null
 * @param dns where dns-01 records are written by RFC 2136 update, or null for http-01
 */
public record UpstreamDefinition(String name, URI directory, Path trustBundle, ExternalAccountBinding eab,
        List<String> contact, Challenge challenge, DnsUpdate dns) {

    public UpstreamDefinition {
        contact = List.copyOf(contact);
    }

    /** The challenge type Certwright answers for this upstream. */
    public enum Challenge {
        /** RFC 8555 §8.3: a file under /.well-known/acme-challenge/ on the plain-HTTP listener or a target's webroot. */
        HTTP_01("http-01"),
        /** RFC 8555 §8.4: a TXT record written by RFC 2136 dynamic update signed with TSIG (RFC 8945). */
        DNS_01("dns-01");

        private final String id;

        Challenge(String id) {
            this.id = id;
        }

        /** The RFC 8555 name, such as {@code http-01}. */
        public String id() {
            return id;
        }
    }

    /** RFC 8555 §7.3.4: the key identifier and the HMAC key, each by the name of its environment variable. */
    public record ExternalAccountBinding(String kidEnv, String hmacEnv) {
    }

    /** RFC 2136 update target: the primary server (host:port), the zone, and the TSIG key (RFC 8945). */
    public record DnsUpdate(String server, String zone, String tsigKeyName, String tsigSecretEnv, String tsigAlgorithm) {
    }
}
