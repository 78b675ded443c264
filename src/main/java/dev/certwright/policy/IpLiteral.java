package dev.certwright.policy;

import java.net.InetAddress;
import java.net.UnknownHostException;

import org.bouncycastle.util.IPAddress;

/** Parses IP address literals without ever resolving a host name. */
public final class IpLiteral {

    private IpLiteral() {
    }

    /** True when the text is an IPv4 or IPv6 literal. */
    public static boolean isLiteral(String text) {
        return text != null && (IPAddress.isValidIPv4(text) || IPAddress.isValidIPv6(text));
    }

    /** Parses a literal; anything else is refused rather than looked up in DNS. */
    public static InetAddress parse(String text) {
        if (!isLiteral(text)) {
            throw new IllegalArgumentException("'" + NamePolicy.shorten(text) + "' is not an IP address");
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + NamePolicy.shorten(text) + "' is not an IP address");
        }
    }
}
