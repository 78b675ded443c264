package dev.certwright.acme.validation;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.util.Timeout;
import org.springframework.stereotype.Component;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.domain.IdentifierType;
import dev.certwright.platform.InternetAddresses;

/**
 * http-01 (RFC 8555 §8.3): GET http://{identifier}:{port}/.well-known/acme-challenge/{token}, the name resolved through
 * our resolver, and the body (trailing white space ignored) must be the key authorization; the body read is capped.
 * <p>
 * Redirects are followed here, not by the HTTP client, so that each one is checked before it is followed: RFC 8555
 * §8.3 lets a client redirect (to a central responder) and §10.2 warns that validation requests are made on the
 * client's behalf. Only http to the http-01 port and https to the tls-alpn-01 port are followed (80 and 443 unless
 * {@code certwright.acme.http01-port} and {@code tls-alpn01-port} move them), at most {@value #MAX_REDIRECTS} times,
 * never to another scheme: otherwise an account holder could point validation at any host and port the server reaches.
 * Failures are told to the account holder in generic words; after a redirect they are all the same words, since the
 * redirect target is not the holder's to learn about. The particulars go to the debug log.
 */
@Component
class Http01Validator {

    static final int MAX_BODY = 8192;
    static final int MAX_REDIRECTS = 10;
    /** 301, 302, 303, 307 and 308: the redirects a GET follows (RFC 9110 §15.4). */
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final AcmeProperties properties;
    private final CloseableHttpClient client;

    Http01Validator(AcmeProperties properties, NameResolver resolver) {
        this.properties = properties;
        Timeout timeout = Timeout.of(properties.validationTimeout());
        DnsResolver dns = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                String bare = InternetAddresses.bare(host);
                try {
                    List<InetAddress> addresses = InternetAddresses.isLiteral(bare) ? List.of(InetAddress.getByName(bare)) // no lookup
                            : resolver.addresses(bare);
                    // Checked here, where the client takes the addresses it connects to: no second lookup can differ.
                    return NameResolver.reachable(bare, addresses).toArray(InetAddress[]::new);
                } catch (ValidationFailure e) {
                    throw new Unresolved(e);
                }
            }

            @Override
            public String resolveCanonicalHostname(String host) {
                return host;
            }
        };
        this.client = HttpClients.custom()
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create().setDnsResolver(dns).setMaxConnTotal(64)
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(timeout).setSocketTimeout(timeout)
                                .setTimeToLive(1, TimeUnit.SECONDS).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setRedirectsEnabled(false).build())
                .disableRedirectHandling().disableCookieManagement().disableAutomaticRetries().disableConnectionState().build();
    }

    void validate(Identifier identifier, String token, String keyAuthorization) throws ValidationFailure {
        String name = identifier.value();
        String host = identifier.type() == IdentifierType.IP && name.contains(":") ? "[" + name + "]" : name;
        URI url = URI.create("http://" + host + ":" + properties.http01Port() + "/.well-known/acme-challenge/" + token);
        for (int redirects = 0;; redirects++) {
            Fetched fetched;
            try {
                fetched = client.execute(new HttpGet(url), response -> {
                    Header location = response.getFirstHeader("Location");
                    try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent()) {
                        return new Fetched(response.getCode(), location == null ? null : location.getValue(),
                                new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8));
                    }
                });
            } catch (Unresolved e) {
                throw redirects == 0 ? e.failure : afterRedirect(name, url + ": " + e.failure.internal());
            } catch (IOException e) {
                throw redirects == 0 ? new ValidationFailure("connection", "could not fetch the http-01 challenge response from " + name,
                        url + ": " + e) : afterRedirect(name, url + ": " + e);
            }
            if (REDIRECTS.contains(fetched.status()) && fetched.location() != null) {
                if (redirects == MAX_REDIRECTS) {
                    throw new ValidationFailure("connection", "the http-01 challenge for " + name + " was redirected more than "
                            + MAX_REDIRECTS + " times", "redirect " + (MAX_REDIRECTS + 1) + ", from " + url + ", was to " + fetched.location());
                }
                url = redirectTarget(name, url, fetched.location());
                continue;
            }
            if (fetched.status() != 200) {
                throw redirects == 0 ? new ValidationFailure("unauthorized", "the http-01 challenge response from " + name + " was not 200 OK",
                        url + " answered HTTP " + fetched.status()) : afterRedirect(name, url + " answered HTTP " + fetched.status());
            }
            if (!fetched.body().stripTrailing().equals(keyAuthorization)) {
                throw redirects == 0 ? new ValidationFailure("incorrectResponse", "the http-01 challenge response from " + name
                        + " is not the key authorization", url + " answered with other content")
                        : afterRedirect(name, url + " answered with other content");
            }
            return;
        }
    }

    /** RFC 8555 §8.3, §10.2: the redirects validation follows. */
    private URI redirectTarget(String name, URI from, String location) throws ValidationFailure {
        URI to;
        try {
            to = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw refused(name, from + " redirected to an unparsable Location: " + location);
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw refused(name, from + " redirected to scheme '" + scheme + "'");
        }
        int port = to.getPort() == -1 ? (scheme.equals("http") ? 80 : 443) : to.getPort();
        int allowed = scheme.equals("http") ? properties.http01Port() : properties.tlsAlpn01Port();
        if (port != allowed || to.getHost() == null || to.getRawUserInfo() != null) {
            throw refused(name, from + " redirected to " + to);
        }
        return to;
    }

    private ValidationFailure refused(String name, String internal) {
        return new ValidationFailure("connection", "the http-01 challenge for " + name + " was redirected to a URL that validation does not "
                + "follow: only http on port " + properties.http01Port() + " and https on port " + properties.tlsAlpn01Port() + " are", internal);
    }

    private static ValidationFailure afterRedirect(String name, String internal) {
        return new ValidationFailure("connection", "the http-01 challenge for " + name + " was redirected, and the redirected request failed",
                internal);
    }

    private record Fetched(int status, String location, String body) {
    }

    /** A name validation may not connect to, passed through the HTTP client with its failure. */
    private static final class Unresolved extends UnknownHostException {
        final ValidationFailure failure;

        Unresolved(ValidationFailure failure) {
            super(failure.getMessage());
            this.failure = failure;
        }
    }
}
