package dev.certwright.acme.web;

import java.io.IOException;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.certwright.acme.store.NonceStore;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * Headers every ACME response carries: a fresh Replay-Nonce on every POST and on newNonce (RFC 8555 §6.5, errors
 * included, so that a client can retry after badNonce), the directory as Link rel="index" (§7.1), and no caching but
 * for the directory itself.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class AcmeResponseHeaders extends OncePerRequestFilter {

    private final NonceStore nonces;

    AcmeResponseHeaders(NonceStore nonces) {
        this.nonces = nonces;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !request.getRequestURI().startsWith(request.getContextPath() + AcmeLinker.Paths.ROOT + "/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if ("POST".equals(request.getMethod()) || path.equals(AcmeLinker.Paths.NEW_NONCE)) {
            response.setHeader("Replay-Nonce", nonces.issue());
        }
        if (!path.equals(AcmeLinker.Paths.DIRECTORY)) {
            response.addHeader("Link", "<" + AcmeLinker.of(request).directory() + ">;rel=\"index\"");
        }
        // The directory changes only with a new release: clients (acme4j) may keep it an hour instead of fetching it before
        // every order. Everything else is per account and never cached.
        response.setHeader("Cache-Control", path.equals(AcmeLinker.Paths.DIRECTORY) ? "public, max-age=3600" : "no-store");
        chain.doFilter(request, response);
    }
}
