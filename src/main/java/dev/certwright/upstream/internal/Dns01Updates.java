package dev.certwright.upstream.internal;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;

import org.springframework.stereotype.Component;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Update;

import dev.certwright.policy.UpstreamDefinition;
import dev.certwright.upstream.UpstreamProperties;

/**
 * dns-01 records (RFC 8555 §8.4) written and removed by RFC 2136 dynamic update, signed with TSIG (RFC 8945), over
 * TCP to the primary the upstream's {@code dns} block names. The TSIG secret comes from the environment variable the
 * block names and is never logged.
 */
@Component
public class Dns01Updates {

    /** RFC 8555 §8.4 says nothing of the TTL; short, so a stale value is not cached for long. */
    private static final long TTL = 60;

    private final Duration timeout;

    Dns01Updates(UpstreamProperties properties) {
        this.timeout = properties.timeout();
    }

    /** Adds the TXT record {@code value} at {@code recordName} (such as {@code _acme-challenge.web.example.}). */
    public void add(UpstreamDefinition.DnsUpdate dns, String recordName, String value) throws IOException {
        Update update = new Update(zone(dns));
        update.add(new TXTRecord(absolute(recordName), DClass.IN, TTL, value));
        send(dns, update, "add");
    }

    /** Removes exactly that TXT record, leaving others (another order's) at the same name. */
    public void remove(UpstreamDefinition.DnsUpdate dns, String recordName, String value) throws IOException {
        Update update = new Update(zone(dns));
        update.delete(new TXTRecord(absolute(recordName), DClass.IN, 0, value));
        send(dns, update, "remove");
    }

    private void send(UpstreamDefinition.DnsUpdate dns, Update update, String what) throws IOException {
        SimpleResolver resolver = new SimpleResolver(address(dns.server()));
        resolver.setTCP(true);
        resolver.setTimeout(timeout);
        String secret = System.getenv(dns.tsigSecretEnv());
        if (secret == null || secret.isBlank()) {
            throw new IOException("the TSIG secret variable " + dns.tsigSecretEnv() + " is not set");
        }
        resolver.setTSIGKey(new TSIG(algorithm(dns.tsigAlgorithm()), absolute(dns.tsigKeyName()), secret.trim()));
        Message answer = resolver.send(update);
        if (answer.getRcode() != Rcode.NOERROR) {
            // RFC 2136 §2.2: REFUSED, NOTAUTH (bad TSIG), NOTZONE, …
            throw new IOException("the RFC 2136 update to " + what + " a dns-01 record was answered " + Rcode.string(answer.getRcode()));
        }
    }

    private static Name zone(UpstreamDefinition.DnsUpdate dns) throws TextParseException {
        return absolute(dns.zone());
    }

    private static Name absolute(String name) throws TextParseException {
        return Name.fromString(name.endsWith(".") ? name : name + ".");
    }

    private static Name algorithm(String name) {
        return switch (name) {
            case "hmac-sha384" -> TSIG.HMAC_SHA384;
            case "hmac-sha512" -> TSIG.HMAC_SHA512;
            default -> TSIG.HMAC_SHA256;
        };
    }

    /** {@code host}, {@code host:port} or {@code [v6]:port}; port 53 by default. */
    static InetSocketAddress address(String server) {
        String host = server;
        int port = 53;
        if (server.startsWith("[")) {
            int end = server.indexOf(']');
            host = server.substring(1, end);
            if (server.length() > end + 2) {
                port = Integer.parseInt(server.substring(end + 2));
            }
        } else if (server.chars().filter(c -> c == ':').count() == 1) {
            host = server.substring(0, server.indexOf(':'));
            port = Integer.parseInt(server.substring(server.indexOf(':') + 1));
        }
        return new InetSocketAddress(host, port);
    }
}
