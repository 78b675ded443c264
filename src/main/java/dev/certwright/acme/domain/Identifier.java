package dev.certwright.acme.domain;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

import dev.certwright.policy.IpLiteral;
import dev.certwright.x509.CsrView;

/** RFC 8555 §9.7.7 identifier: type {@code dns}, or {@code ip} (RFC 8738), and its value. */
public record Identifier(IdentifierType type, String value) {

    /** The form stored in a row: {@code type:value}. */
    public String line() {
        return type.text() + ":" + value;
    }

    public static Identifier parse(String line) {
        int colon = line.indexOf(':');
        return new Identifier(IdentifierType.fromText(line.substring(0, colon)), line.substring(colon + 1));
    }

    /** RFC 8555 §7.1.3: a dns identifier that starts with {@code *.} asks for a wildcard certificate. */
    public boolean wildcard() {
        return type == IdentifierType.DNS && value.startsWith("*.");
    }

    /** The name an authorization is for: a wildcard's base name (RFC 8555 §7.1.4), otherwise the identifier itself. */
    public Identifier base() {
        return wildcard() ? new Identifier(IdentifierType.DNS, value.substring(2)) : this;
    }

    /** The identifier in the one form two spellings of it compare equal in: an IP address in its canonical text. */
    public Identifier canonical() {
        return type == IdentifierType.IP ? new Identifier(type, IpLiteral.parse(value).getHostAddress()) : this;
    }

    /**
     * The identifiers a CSR asks for (RFC 8555 §7.4): its DNS names (lower case), its IP addresses (canonical) and its
     * common name, read as an IP address when it is one and as a DNS name otherwise.
     */
    public static Set<Identifier> namedIn(CsrView csr) {
        Set<Identifier> asked = new LinkedHashSet<>();
        csr.dnsNames().forEach(n -> asked.add(new Identifier(IdentifierType.DNS, n.toLowerCase(Locale.ROOT))));
        csr.ipAddresses().forEach(ip -> asked.add(new Identifier(IdentifierType.IP, IpLiteral.parse(ip).getHostAddress())));
        String cn = csr.commonName();
        if (cn != null) {
            asked.add(IpLiteral.isLiteral(cn) ? new Identifier(IdentifierType.IP, IpLiteral.parse(cn).getHostAddress())
                    : new Identifier(IdentifierType.DNS, cn.toLowerCase(Locale.ROOT)));
        }
        return asked;
    }
}
