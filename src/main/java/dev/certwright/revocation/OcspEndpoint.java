package dev.certwright.revocation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.util.UriUtils;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The OCSP endpoint (RFC 6960 Appendix A): {@code POST /ocsp} with an {@code application/ocsp-request} body, and
 * {@code GET /ocsp/{base64 of the DER request, percent-encoded or not}} (RFC 5019 §5). It is the first servlet filter,
 * ahead of Spring MVC, Spring Security and the HTTP server observation: the endpoint is public by design, its input is
 * binary, a GET path is base64 that may hold '/' and '+', which the security firewall would refuse, and at tens of
 * thousands of requests a second the observation cost more than the answer (decision 43). It counts its answers in
 * {@code certwright.ocsp.responses{status}} instead.
 * <p>
 * A node keeps each successful answer without a nonce in memory for at most {@code certwright.ocsp.cache-ttl} (≤ 1 s),
 * with its caching headers ready, keyed by the GET path as it came or by the POST body, so that repeated requests cost
 * a map lookup, and a revocation on another node is seen within a second. A revocation on this node clears the memory
 * at once.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class OcspEndpoint implements Filter {

    static final String RESPONSE_TYPE = "application/ocsp-response";
    private static final int MAX_CACHED = 50_000;
    /** RFC 9110 §5.6.7: IMF-fixdate. */
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US)
            .withZone(ZoneOffset.UTC);
    /** RFC 6960 §4.2.1 OCSPResponseStatus names, by value (4 is not used). */
    private static final List<String> STATUSES = List.of("successful", "malformedRequest", "internalError", "tryLater", "", "sigRequired",
            "unauthorized");

    /** The answer to a GET path that is not base64: the same bytes every time. */
    private static final OcspResponder.Result MALFORMED = OcspResponder.Result.error(OCSPRespBuilder.MALFORMED_REQUEST);

    private final OcspResponder responder;
    private final RevocationProperties.Ocsp properties;
    private final Clock clock;
    /** Keys: the GET request URI as sent (a String), or the POST body (a ByteBuffer). */
    private final Map<Object, Cached> memory = new ConcurrentHashMap<>();
    private final Counter[] responses = new Counter[STATUSES.size()];

    /** An answer with its headers: the caching ones (RFC 5019 §6.2) for a successful answer without a nonce, else null. */
    private record Cached(OcspResponder.Result result, String lastModified, String expires, String cacheControl, String etag,
            long expiresNanos) {
    }

    OcspEndpoint(OcspResponder responder, RevocationProperties.Ocsp properties, Clock clock, MeterRegistry meters) {
        this.responder = responder;
        this.properties = properties;
        this.clock = clock;
        for (int status = 0; status < STATUSES.size(); status++) {
            if (!STATUSES.get(status).isEmpty()) {
                responses[status] = meters.counter("certwright.ocsp.responses", "status", STATUSES.get(status));
            }
        }
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        String uri = request.getRequestURI();
        String path = request.getContextPath().isEmpty() ? uri : uri.substring(request.getContextPath().length());
        if (!(path.equals("/ocsp") || path.startsWith("/ocsp/"))) {
            chain.doFilter(req, res);
            return;
        }
        long now = System.nanoTime();
        if ("GET".equals(request.getMethod()) && path.startsWith("/ocsp/")) {
            Cached cached = memory.get(uri);
            if (cached == null || cached.expiresNanos() - now < 0) {
                byte[] der = decodeGet(path.substring("/ocsp/".length()));
                cached = der == null ? answer(MALFORMED, now) : answer(uri, der, now);
            }
            write(response, cached);
        } else if ("POST".equals(request.getMethod()) && path.equals("/ocsp")) {
            byte[] der = readBody(request, response);
            if (der != null) {
                ByteBuffer key = ByteBuffer.wrap(der);
                Cached cached = memory.get(key);
                write(response, cached == null || cached.expiresNanos() - now < 0 ? answer(key, der, now) : cached);
            }
        } else {
            response.setHeader(HttpHeaders.ALLOW, path.equals("/ocsp") ? "POST" : "GET");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
        }
    }

    /** Forgets every response this node holds in memory: called when a revocation commits here. */
    void forget() {
        memory.clear();
    }

    /** Asks the responder, and keeps a cacheable answer in memory under {@code key}. */
    private Cached answer(Object key, byte[] der, long now) {
        Cached cached = answer(responder.respond(der), now);
        if (cached.cacheControl() != null && !properties.cacheTtl().isZero()) {
            if (memory.size() >= MAX_CACHED) {
                memory.clear();
            }
            memory.put(key, cached);
        }
        return cached;
    }

    /**
     * The headers of an answer, made once while it stays in memory. max-age counts from the end of that stay, so that
     * it never reaches past nextUpdate (RFC 5019 §6.2).
     */
    private Cached answer(OcspResponder.Result result, long now) {
        long expires = now + properties.cacheTtl().toNanos();
        if (!result.successful() || !result.cacheable()) {
            return new Cached(result, null, null, null, null, expires);
        }
        Instant servedUntil = clock.instant().plus(properties.cacheTtl());
        long maxAge = Math.max(0, Duration.between(servedUntil, result.nextUpdate()).toSeconds());
        return new Cached(result, HTTP_DATE.format(result.thisUpdate()), HTTP_DATE.format(result.nextUpdate()),
                "max-age=" + maxAge + ", public, no-transform, must-revalidate",
                "\"" + HexFormat.of().formatHex(sha1(result.der())) + "\"", expires);
    }

    private void write(HttpServletResponse response, Cached cached) throws IOException {
        byte[] der = cached.result().der();
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(RESPONSE_TYPE);
        response.setContentLength(der.length);
        if (cached.cacheControl() != null) {
            response.setHeader(HttpHeaders.LAST_MODIFIED, cached.lastModified());
            response.setHeader(HttpHeaders.EXPIRES, cached.expires());
            response.setHeader(HttpHeaders.CACHE_CONTROL, cached.cacheControl());
            response.setHeader(HttpHeaders.ETAG, cached.etag());
        } else {
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        responses[cached.result().status()].increment();
        response.getOutputStream().write(der);
    }

    /** The POST body, or null after answering 413 for one larger than {@code certwright.ocsp.max-request-bytes}. */
    private byte[] readBody(HttpServletRequest request, HttpServletResponse response) throws IOException {
        int limit = properties.maxRequestBytes();
        if (request.getContentLengthLong() > limit) {
            response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
            return null;
        }
        try (InputStream in = request.getInputStream()) {
            byte[] body = in.readNBytes(limit + 1);
            if (body.length > limit) {
                response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
                return null;
            }
            return body;
        }
    }

    /**
     * RFC 6960 Appendix A.1: the GET path is the base64 of the DER request, URL-encoded. Clients differ: some
     * percent-encode '/', '+' and '=', some do not, some use the URL-safe alphabet. All are accepted.
     */
    static byte[] decodeGet(String encoded) {
        try {
            String text = UriUtils.decode(encoded, StandardCharsets.UTF_8).trim();
            if (text.isEmpty() || text.length() > 16384) {
                return null;
            }
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static byte[] sha1(byte[] data) {
        try {
            return java.security.MessageDigest.getInstance("SHA-1").digest(data);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
