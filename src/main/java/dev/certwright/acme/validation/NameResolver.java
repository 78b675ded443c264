package dev.certwright.acme.validation;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.springframework.stereotype.Component;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.platform.InternetAddresses;
import jakarta.annotation.PreDestroy;

/**
 * DNS for validation, through dnsjava: the server named by {@code certwright.acme.dns-resolver}, or the system's. No
 * cache, so that a record the client just set is seen.
 */
@Component
class NameResolver {

    private final AcmeProperties properties;
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();

    NameResolver(AcmeProperties properties) {
        this.properties = properties;
    }

    /**
     * A and AAAA addresses of a name, IPv4 first. The two lookups run at once (the AAAA one on a virtual thread): one
     * after the other they were half of an http-01 validation's time (docs/benchmarks.md, ACME).
     */
    List<InetAddress> addresses(String name) throws ValidationFailure {
        Future<List<Record>> sixes = lookups.submit(() -> lookup(name, Type.AAAA));
        List<Record> records = new ArrayList<>(lookup(name, Type.A));
        try {
            records.addAll(sixes.get());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ValidationFailure failure) {
                throw failure;
            }
            throw new ValidationFailure("dns", "DNS lookup of " + name + " failed", "DNS lookup of AAAA " + name + " failed: " + e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ValidationFailure("dns", "DNS lookup of " + name + " failed", "DNS lookup of AAAA " + name + " was interrupted");
        } finally {
            sixes.cancel(true);
        }
        List<InetAddress> out = new ArrayList<>();
        for (Record record : records) {
            if (record instanceof ARecord a) {
                out.add(a.getAddress());
            } else if (record instanceof AAAARecord aaaa) {
                out.add(aaaa.getAddress());
            }
        }
        if (out.isEmpty()) {
            throw new ValidationFailure("dns", "no A or AAAA record for " + name);
        }
        return out;
    }

    /** The TXT strings at a name. */
    List<String> txt(String name) throws ValidationFailure {
        List<String> out = new ArrayList<>();
        for (Record record : lookup(name, Type.TXT)) {
            if (record instanceof TXTRecord txt) {
                out.addAll(txt.getStrings());
            }
        }
        return out;
    }

    /**
     * The addresses validation may connect to, of those a name resolved to (or an IP identifier's own). Validation
     * connects where the account holder points it, so some ranges are never reached: link-local (the cloud metadata
     * service at 169.254.169.254 lives there), unspecified, multicast and reserved addresses, also in their
     * IPv4-mapped forms. Loopback and private addresses stay reachable: an internal PKI validates internal hosts, and
     * the policy (which names an order may hold) decides which of those may be asked for.
     */
    static List<InetAddress> reachable(String name, List<InetAddress> addresses) throws ValidationFailure {
        List<InetAddress> out = addresses.stream().filter(a -> InternetAddresses.nonPublicReason(a)
                .map(reason -> reason.equals("loopback") || reason.equals("private")).orElse(true)).toList();
        if (out.isEmpty()) {
            throw new ValidationFailure("dns", "no address of " + name + " may be validated",
                    name + " resolves only to addresses validation never connects to: " + addresses);
        }
        return out;
    }

    private List<Record> lookup(String name, int type) throws ValidationFailure {
        try {
            Lookup lookup = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), type);
            lookup.setResolver(resolver());
            lookup.setCache(null);
            Record[] records = lookup.run();
            if (lookup.getResult() == Lookup.TRY_AGAIN || lookup.getResult() == Lookup.UNRECOVERABLE) {
                throw new ValidationFailure("dns", "DNS lookup of " + name + " failed",
                        "DNS lookup of " + Type.string(type) + " " + name + " failed: " + lookup.getErrorString());
            }
            return records == null ? List.of() : List.of(records);
        } catch (TextParseException e) {
            throw new ValidationFailure("dns", "'" + name + "' is not a DNS name");
        }
    }

    private Resolver resolver() throws ValidationFailure {
        try {
            Resolver resolver;
            String configured = properties.dnsResolver();
            if (configured == null || configured.isBlank()) {
                resolver = Lookup.getDefaultResolver();
            } else {
                int colon = configured.lastIndexOf(':');
                SimpleResolver simple = new SimpleResolver(InetAddress.getByName(configured.substring(0, colon).replace("[", "").replace("]", "")));
                simple.setPort(Integer.parseInt(configured.substring(colon + 1)));
                resolver = simple;
            }
            resolver.setTimeout(Duration.ofSeconds(5));
            return resolver;
        } catch (UnknownHostException e) {
            throw new ValidationFailure("dns", "DNS lookup failed", "the DNS resolver " + properties.dnsResolver() + " cannot be reached");
        }
    }

    @PreDestroy
    void stop() {
        lookups.shutdownNow();
    }
}
