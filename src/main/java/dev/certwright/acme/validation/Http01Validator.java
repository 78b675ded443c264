package dev.certwright.acme.validation;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.springframework.stereotype.Component;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.domain.Identifier;

/**
 * http-01 (RFC 8555 §8.3): GET http://{identifier}:{port}/.well-known/acme-challenge/{token}, the name resolved through
 * our resolver, and the body (trailing white space ignored) must be the key authorization. Redirects are followed (at
 * most 10); the body read is capped.
 */
@Component
class Http01Validator {

    static final int MAX_BODY = 8192;

    private final AcmeProperties properties;
    private final CloseableHttpClient client;

    Http01Validator(AcmeProperties properties, NameResolver resolver) {
        this.properties = properties;
        Timeout timeout = Timeout.of(properties.validationTimeout());
        DnsResolver dns = new DnsResolver() {
            @Override
            public InetAddress[] resolve(String host) throws UnknownHostException {
                String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
                if (bare.matches("[0-9.]+") || bare.contains(":")) {
                    return new InetAddress[] {InetAddress.getByName(bare)}; // a literal: no lookup
                }
                try {
                    return resolver.addresses(bare).toArray(InetAddress[]::new);
                } catch (ValidationFailure e) {
                    throw new UnknownHostException(e.getMessage());
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
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(timeout).setRedirectsEnabled(true).setMaxRedirects(10).build())
                .disableCookieManagement().disableAutomaticRetries().disableConnectionState().build();
    }

    void validate(Identifier identifier, String token, String keyAuthorization) throws ValidationFailure {
        String host = Identifier.IP.equals(identifier.type()) && identifier.value().contains(":") ? "[" + identifier.value() + "]"
                : identifier.value();
        String url = "http://" + host + ":" + properties.http01Port() + "/.well-known/acme-challenge/" + token;
        String body;
        int status;
        try {
            String[] result = client.execute(new HttpGet(url), response -> {
                try (InputStream in = response.getEntity() == null ? InputStream.nullInputStream() : response.getEntity().getContent()) {
                    return new String[] {Integer.toString(response.getCode()), new String(in.readNBytes(MAX_BODY), StandardCharsets.UTF_8)};
                }
            });
            status = Integer.parseInt(result[0]);
            body = result[1];
        } catch (UnknownHostException e) {
            throw new ValidationFailure("dns", "cannot resolve " + identifier.value() + ": " + e.getMessage());
        } catch (IOException e) {
            throw new ValidationFailure("connection", "fetching " + url + " failed: " + e.getMessage());
        }
        if (status != 200) {
            throw new ValidationFailure("unauthorized", url + " answered HTTP " + status);
        }
        if (!body.stripTrailing().equals(keyAuthorization)) {
            throw new ValidationFailure("incorrectResponse", url + " did not answer with the key authorization");
        }
    }
}
