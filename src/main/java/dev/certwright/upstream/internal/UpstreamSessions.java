package dev.certwright.upstream.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.net.ssl.SSLContext;

import org.shredzone.acme4j.Session;
import org.shredzone.acme4j.connector.HttpConnector;
import org.shredzone.acme4j.connector.NetworkSettings;
import org.shredzone.acme4j.provider.GenericAcmeProvider;
import org.springframework.stereotype.Component;

import dev.certwright.platform.InternetAddresses;
import dev.certwright.platform.PinnedTrust;
import dev.certwright.policy.UpstreamDefinition;
import dev.certwright.upstream.UpstreamProperties;

/**
 * acme4j sessions to an upstream directory, with two rules of ours on every request acme4j makes:
 * <ul>
 * <li>decision 50: the URL's host must resolve to public addresses only, unless {@code certwright.upstream.allowed-hosts}
 * lists it (loopback for tests, a CA inside the network); https only, http only to a loopback address; no redirects;</li>
 * <li>the upstream's {@code trustBundle}, when set, is the only TLS trust (the JDK's otherwise).</li>
 * </ul>
 * The address check runs before each request; java.net.http resolves again when it connects, so a name that rebinds in
 * between is not caught (recorded in decision 76).
 */
@Component
public class UpstreamSessions {

    private final List<String> hostNames;
    private final List<InternetAddresses.Cidr> ranges;
    private final UpstreamProperties properties;

    UpstreamSessions(UpstreamProperties properties) {
        this.properties = properties;
        this.hostNames = properties.allowedHosts().stream().filter(h -> InternetAddresses.Cidr.parse(h).isEmpty())
                .map(h -> h.toLowerCase(Locale.ROOT)).toList();
        this.ranges = properties.allowedHosts().stream().flatMap(h -> InternetAddresses.Cidr.parse(h).stream()).toList();
    }

    /** A new session to the upstream's directory. */
    public Session open(UpstreamDefinition upstream) {
        SSLContext tls = upstream.trustBundle() == null ? null : pinned(upstream);
        Session session = new Session(upstream.directory(), new GenericAcmeProvider() {
            @Override
            public HttpClient createHttpClient(NetworkSettings settings) {
                HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(settings.getTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER);
                if (tls != null) {
                    builder.sslContext(tls);
                }
                return builder.build();
            }

            @Override
            protected HttpConnector createHttpConnector(NetworkSettings settings, HttpClient client) {
                return new HttpConnector(settings, client) {
                    @Override
                    public HttpRequest.Builder createRequestBuilder(URL url) {
                        check(url);
                        return super.createRequestBuilder(url);
                    }
                };
            }
        });
        session.networkSettings().setTimeout(properties.timeout());
        return session;
    }

    /** Why this URL may not be requested, or empty when it may. */
    Optional<String> refusal(URL url) {
        String host = InternetAddresses.bare(url.getHost()).toLowerCase(Locale.ROOT);
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            return Optional.of("its host does not resolve");
        }
        boolean loopbackOnly = java.util.Arrays.stream(addresses).allMatch(InetAddress::isLoopbackAddress);
        if (!"https".equals(url.getProtocol()) && !("http".equals(url.getProtocol()) && loopbackOnly)) {
            return Optional.of("it is not https");
        }
        if (url.getUserInfo() != null) {
            return Optional.of("it has user info");
        }
        if (hostNames.contains(host)) {
            return Optional.empty();
        }
        for (InetAddress address : addresses) {
            Optional<String> reason = InternetAddresses.nonPublicReason(address);
            if (reason.isPresent() && ranges.stream().noneMatch(r -> r.contains(address))) {
                return Optional.of("it resolves to a " + reason.get() + " address, which is reached only when certwright.upstream.allowed-hosts lists it");
            }
        }
        return Optional.empty();
    }

    private void check(URL url) {
        refusal(url).ifPresent(reason -> {
            throw new UncheckedIOException(new IOException("the upstream URL " + withoutQuery(url) + " is refused: " + reason));
        });
    }

    private static String withoutQuery(URL url) {
        return url.getProtocol() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort()) + url.getPath();
    }

    /** TLS that trusts the upstream's trust bundle and nothing else. */
    private static SSLContext pinned(UpstreamDefinition upstream) {
        try (InputStream in = Files.newInputStream(upstream.trustBundle())) {
            var certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalStateException("upstream " + upstream.name() + "'s trustBundle holds no certificate");
            }
            return PinnedTrust.context(certificates);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("upstream " + upstream.name() + "'s trustBundle " + upstream.trustBundle() + " cannot be read", e);
        }
    }

    /** For messages: the directory without query. */
    static String describe(URI directory) {
        return directory.getScheme() + "://" + directory.getAuthority() + directory.getPath();
    }
}
