package dev.certwright.notify.internal;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.apache.hc.client5.http.DnsResolver;
import org.springframework.stereotype.Component;

import dev.certwright.platform.InternetAddresses;

/**
 * Where a webhook may point. A webhook is a URL that a user saves and Certwright later POSTs to: without a rule it
 * reaches the server's own loopback services, the cloud metadata service (169.254.169.254) and the private network
 * behind it. Every address a webhook's host resolves to must be public, unless {@code certwright.notify.allowed-hosts}
 * names the host, or a CIDR range holding the address.
 * <p>
 * The rule is checked twice: when a webhook is saved (a clear refusal for the user), and at connect time, as the
 * {@link DnsResolver} of the HTTP client that sends, so that a name which resolved to a public address when it was saved
 * and resolves to 127.0.0.1 now (DNS rebinding, or an allow list shortened since) is never connected to. The client
 * connects only to the addresses this resolver returned, so there is no second lookup to race.
 */
@Component
public class WebhookAddresses {

    /** Resolves names; a seam for tests that need a name to change its answer. */
    interface Lookup {
        InetAddress[] all(String host) throws UnknownHostException;
    }

    private final List<String> hostNames;
    private final List<InternetAddresses.Cidr> ranges;
    private final Lookup lookup;

    @org.springframework.beans.factory.annotation.Autowired
    WebhookAddresses(NotifyProperties properties) {
        this(properties, InetAddress::getAllByName);
    }

    WebhookAddresses(NotifyProperties properties, Lookup lookup) {
        this.hostNames = properties.allowedHosts().stream().filter(h -> InternetAddresses.Cidr.parse(h).isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT).replaceAll("\\.$", "")).toList();
        this.ranges = properties.allowedHosts().stream().flatMap(h -> InternetAddresses.Cidr.parse(h).stream()).toList();
        this.lookup = lookup;
    }

    /**
     * A webhook URL's host, checked when it is saved: the reason it is refused, or empty. A host that does not resolve
     * is not refused here; the connect-time check decides when there is an address.
     */
    public Optional<String> refusal(URI webhook) {
        try {
            resolve(webhook.getHost());
            return Optional.empty();
        } catch (Refused e) {
            return Optional.of("'" + withoutQuery(webhook) + "' " + e.getMessage());
        } catch (UnknownHostException e) {
            // Not resolvable now (not yet in DNS, or a name only the sending network knows): nothing to refuse yet, and
            // nothing is reached before the connect-time check passes.
            return Optional.empty();
        }
    }

    /**
     * The addresses of a host that a webhook may connect to: all of them, or a {@link Refused} when any is not allowed
     * (refusing only some would still let a rebinding name win the race for the connection).
     */
    InetAddress[] resolve(String host) throws UnknownHostException {
        String bare = InternetAddresses.bare(host).toLowerCase(Locale.ROOT).replaceAll("\\.$", "");
        InetAddress[] addresses = InternetAddresses.isLiteral(bare) ? new InetAddress[] {InetAddress.getByName(bare)} : lookup.all(bare);
        if (addresses.length == 0) {
            throw new UnknownHostException(bare);
        }
        if (hostNames.contains(bare)) {
            return addresses;
        }
        for (InetAddress address : addresses) {
            Optional<String> reason = InternetAddresses.nonPublicReason(address);
            if (reason.isPresent() && ranges.stream().noneMatch(r -> r.contains(address))) {
                throw new Refused("resolves to a " + reason.get() + " address, which webhooks may not reach unless "
                        + "certwright.notify.allowed-hosts lists it");
            }
        }
        return addresses;
    }

    /** The connect-time check, as the sending client's resolver. */
    DnsResolver dnsResolver() {
        return new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                return WebhookAddresses.this.resolve(host);
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
    }

    private static String withoutQuery(URI uri) {
        String text = uri.toString();
        int query = text.indexOf('?');
        return query < 0 ? text : text.substring(0, query) + "?…";
    }

    /** A host whose addresses webhooks may not reach. An UnknownHostException, so that the HTTP client gives up at once. */
    static final class Refused extends UnknownHostException {
        Refused(String reason) {
            super(reason);
        }
    }
}
