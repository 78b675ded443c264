package dev.certwright.platform.internal;

import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.List;

import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.ClientCertificateAuthenticator;

/**
 * Authenticates {@code Authorization: Bearer <token>} (RFC 6750 §2.1), or else the client certificate of the TLS
 * handshake (mTLS), through the {@link ClientCertificateAuthenticator}. A request with neither goes on
 * unauthenticated and is refused by authorization if its endpoint needs a role; a request with a bad token is
 * refused here with 401. A certificate that stands for nobody is not refused here (the endpoint may be public), but
 * the 401 that follows says why.
 */
class ApiTokenFilter extends OncePerRequestFilter {

    /** Request attribute: why a presented client certificate was not accepted. */
    static final String CERTIFICATE_REFUSED = ApiTokenFilter.class.getName() + ".certificateRefused";
    /** Servlet 6.1 §3.10: the client's certificate chain, leaf first. */
    static final String CERTIFICATE_ATTRIBUTE = "jakarta.servlet.request.X509Certificate";

    private final ApiTokens tokens;
    private final ProblemResponses problems;
    private final List<ClientCertificateAuthenticator> certificates;
    private final Oidc oidc;

    ApiTokenFilter(ApiTokens tokens, ProblemResponses problems, List<ClientCertificateAuthenticator> certificates, Oidc oidc) {
        this.tokens = tokens;
        this.problems = problems;
        this.certificates = certificates;
        this.oidc = oidc;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String token = header.substring(7).trim();
            if (oidc.enabled() && Oidc.looksLikeJwt(token)) {
                // Decision 77: the identity provider's token (client credentials, or a person's), checked against its JWKS.
                var bearer = oidc.authenticate(token);
                if (bearer.isEmpty()) {
                    response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                    problems.write(request, response, HttpStatus.UNAUTHORIZED, "unauthorized",
                            "the bearer JWT is not valid: its signature, issuer, audience or expiry was refused");
                    return;
                }
                SecurityContextHolder.getContext().setAuthentication(bearer.get());
                chain.doFilter(request, response);
                return;
            }
            var principal = tokens.authenticate(token);
            if (principal.isEmpty()) {
                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                problems.write(request, response, HttpStatus.UNAUTHORIZED, "unauthorized", "the bearer token is unknown, expired or revoked");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(new TokenAuthentication(principal.get()));
        } else if (request.getAttribute(CERTIFICATE_ATTRIBUTE) instanceof X509Certificate[] chainPresented && chainPresented.length > 0) {
            var principal = certificates.stream().map(c -> c.authenticate(chainPresented[0])).flatMap(java.util.Optional::stream).findFirst();
            if (principal.isPresent()) {
                SecurityContextHolder.getContext().setAuthentication(new TokenAuthentication(principal.get()));
            } else {
                request.setAttribute(CERTIFICATE_REFUSED, "the client certificate is not the current, unexpired and unrevoked "
                        + "certificate of a managed certificate");
            }
        }
        chain.doFilter(request, response);
    }

    /**
     * An authenticated API request: a Certwright token or service certificate (the principal is its
     * {@link ApiTokens.ApiPrincipal}, whose {@code actor()} is the name), or the identity provider's JWT (decision 77).
     */
    static final class TokenAuthentication extends AbstractAuthenticationToken {

        private final Object principal;
        private final String name;

        TokenAuthentication(ApiTokens.ApiPrincipal principal) {
            this(principal, principal.actor(), List.of(new SimpleGrantedAuthority("ROLE_" + principal.role())));
        }

        TokenAuthentication(Object principal, String name, java.util.Collection<? extends org.springframework.security.core.GrantedAuthority> authorities) {
            super(authorities);
            this.principal = principal;
            this.name = name;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return principal;
        }

        @Override
        public String getName() {
            return name;
        }
    }
}
