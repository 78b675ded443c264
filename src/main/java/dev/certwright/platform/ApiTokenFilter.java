package dev.certwright.platform;

import java.io.IOException;
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

/**
 * Authenticates {@code Authorization: Bearer <token>} (RFC 6750 §2.1). A request without the header goes on
 * unauthenticated and is refused by authorization if its endpoint needs a role; a request with a bad token is
 * refused here with 401.
 */
class ApiTokenFilter extends OncePerRequestFilter {

    private final ApiTokens tokens;
    private final ProblemResponses problems;

    ApiTokenFilter(ApiTokens tokens, ProblemResponses problems) {
        this.tokens = tokens;
        this.problems = problems;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String header = request.getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            var principal = tokens.authenticate(header.substring(7).trim());
            if (principal.isEmpty()) {
                response.setHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"");
                problems.write(request, response, HttpStatus.UNAUTHORIZED, "unauthorized", "the bearer token is unknown, expired or revoked");
                return;
            }
            SecurityContextHolder.getContext().setAuthentication(new TokenAuthentication(principal.get()));
        }
        chain.doFilter(request, response);
    }

    /** An authenticated API token. Its name, prefixed {@code token:}, is the actor recorded in the audit log. */
    static final class TokenAuthentication extends AbstractAuthenticationToken {

        private final ApiTokens.ApiPrincipal principal;

        TokenAuthentication(ApiTokens.ApiPrincipal principal) {
            super(List.of(new SimpleGrantedAuthority("ROLE_" + principal.role())));
            this.principal = principal;
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
            return "token:" + principal.name();
        }
    }
}
