package dev.certwright.revocation;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The OCSP endpoint (RFC 6960 Appendix A): {@code POST /ocsp} with an {@code application/ocsp-request} body, and
 * {@code GET /ocsp/{base64 of the DER request, percent-encoded or not}} (RFC 5019 §5). It is a plain servlet filter
 * ahead of Spring MVC and Spring Security: the endpoint is public by design, its input is binary, and a GET path is
 * base64 that may hold '/' and '+', which the security firewall would refuse.
 * <p>
 * A node keeps each successful answer without a nonce in memory for at most {@code certwright.ocsp.cache-ttl} (≤ 1 s),
 * keyed by the request bytes, so that repeated requests cost a map lookup, and a revocation on another node is seen
 * within a second. A revocation on this node clears the memory at once.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 2)
class OcspEndpoint extends OncePerRequestFilter {

    static final String RESPONSE_TYPE = "application/ocsp-response";
    private static final int MAX_CACHED = 50_000;

    private final OcspResponder responder;
    private final RevocationProperties.Ocsp properties;
    private final Clock clock;
    private final Map<ByteBuffer, Cached> memory = new ConcurrentHashMap<>();

    private record Cached(OcspResponder.Result result, String etag, long expiresNanos) {
    }

    OcspEndpoint(OcspResponder responder, RevocationProperties.Ocsp properties, Clock clock) {
        this.responder = responder;
        this.properties = properties;
        this.clock = clock;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.equals("/ocsp") || path.startsWith("/ocsp/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        byte[] der;
        if ("POST".equals(request.getMethod()) && path.equals("/ocsp")) {
            der = readBody(request, response);
            if (der == null) {
                return;
            }
        } else if ("GET".equals(request.getMethod()) && path.startsWith("/ocsp/")) {
            der = decodeGet(path.substring("/ocsp/".length()));
            if (der == null) {
                write(response, OcspResponder.Result.error(org.bouncycastle.cert.ocsp.OCSPRespBuilder.MALFORMED_REQUEST), null);
                return;
            }
        } else {
            response.setHeader(HttpHeaders.ALLOW, path.equals("/ocsp") ? "POST" : "GET");
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED);
            return;
        }
        ByteBuffer key = ByteBuffer.wrap(der);
        long now = System.nanoTime();
        Cached cached = memory.get(key);
        if (cached == null || cached.expiresNanos() - now < 0) {
            OcspResponder.Result result = responder.respond(der);
            String etag = result.successful() ? "\"" + HexFormat.of().formatHex(sha1(result.der())) + "\"" : null;
            cached = new Cached(result, etag, now + properties.cacheTtl().toNanos());
            if (result.successful() && result.cacheable() && !properties.cacheTtl().isZero()) {
                if (memory.size() >= MAX_CACHED) {
                    memory.clear();
                }
                memory.put(key, cached);
            }
        }
        write(response, cached.result(), cached.etag());
    }

    /** Forgets every response this node holds in memory: called when a revocation commits here. */
    void forget() {
        memory.clear();
    }

    /** RFC 5019 §6.2: the caching headers go with successful responses that carry no nonce. */
    private void write(HttpServletResponse response, OcspResponder.Result result, String etag) throws IOException {
        response.setStatus(HttpServletResponse.SC_OK);
        response.setContentType(RESPONSE_TYPE);
        response.setContentLength(result.der().length);
        if (result.successful() && result.cacheable()) {
            Instant now = clock.instant();
            long maxAge = Math.max(0, Duration.between(now, result.nextUpdate()).toSeconds());
            response.setDateHeader(HttpHeaders.LAST_MODIFIED, result.thisUpdate().toEpochMilli());
            response.setDateHeader(HttpHeaders.EXPIRES, result.nextUpdate().toEpochMilli());
            response.setHeader(HttpHeaders.CACHE_CONTROL, "max-age=" + maxAge + ", public, no-transform, must-revalidate");
            response.setHeader(HttpHeaders.ETAG, etag);
        } else {
            response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        }
        response.getOutputStream().write(result.der());
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
