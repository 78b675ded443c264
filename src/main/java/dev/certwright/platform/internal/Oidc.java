package dev.certwright.platform.internal;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserRequest;
import org.springframework.security.oauth2.client.oidc.userinfo.OidcUserService;
import org.springframework.security.oauth2.client.registration.ClientRegistration;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.registration.ClientRegistrations;
import org.springframework.security.oauth2.client.userinfo.OAuth2UserService;
import org.springframework.security.oauth2.core.DelegatingOAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2AuthenticationException;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.core.oidc.user.DefaultOidcUser;
import org.springframework.security.oauth2.core.oidc.user.OidcUser;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

import dev.certwright.platform.RoleBindings;

/**
 * Single sign-on through an OpenID Connect provider (decision 77): the dashboard's client registration (read from the
 * issuer's discovery document on first use, so that the server starts while the provider is away), the user service
 * that gives a signed-in person the role their bindings say (and refuses one with none), and the API's bearer JWTs
 * (signature by the provider's JWKS, issuer, expiry and audience checked) mapped the same way. Names are
 * {@code oidc:<user>} in the audit log, apart from the dashboard's own users.
 */
final class Oidc {

    static final String REGISTRATION = "oidc";
    private static final Logger log = LoggerFactory.getLogger(Oidc.class);

    private final OidcProperties properties;
    private final RoleBindings bindings;
    private volatile ClientRegistration registration;
    private final JwtDecoder decoder;

    Oidc(OidcProperties properties, RoleBindings bindings) {
        this.properties = properties;
        this.bindings = bindings;
        if (!properties.enabled()) {
            this.decoder = null;
            return;
        }
        // Built on the first token, and again after a failure: NimbusJwtDecoder.withIssuerLocation reads the provider's
        // discovery document when it is built, which would stop the server from starting while the provider is away.
        this.decoder = new JwtDecoder() {
            private volatile JwtDecoder built;
            private long failedAt;

            @Override
            public Jwt decode(String token) {
                JwtDecoder current = built;
                if (current == null) {
                    synchronized (this) {
                        // After a failure, the provider is asked again at most every ten seconds, not once per request.
                        if (built == null && failedAt != 0 && System.nanoTime() - failedAt < 10_000_000_000L) {
                            throw new IllegalStateException("the provider did not answer a moment ago");
                        }
                        if (built == null) {
                            try {
                                built = build(properties);
                            } catch (RuntimeException e) {
                                failedAt = System.nanoTime();
                                throw e;
                            }
                        }
                        current = built;
                    }
                }
                return current.decode(token);
            }
        };
    }

    private static JwtDecoder build(OidcProperties properties) {
        NimbusJwtDecoder nimbus = NimbusJwtDecoder.withIssuerLocation(properties.issuerUri()).build();
        nimbus.setJwtValidator(new DelegatingOAuth2TokenValidator<>(JwtValidators.createDefaultWithIssuer(properties.issuerUri()), jwt -> {
            List<String> audience = jwt.getAudience();
            return audience != null && audience.contains(properties.audience()) ? OAuth2TokenValidatorResult.success()
                    : OAuth2TokenValidatorResult.failure(new OAuth2Error("invalid_token", "the token is not for audience " + properties.audience(), null));
        }));
        return nimbus;
    }

    OidcProperties properties() {
        return properties;
    }

    boolean enabled() {
        return properties.enabled();
    }

    /** The one client registration, read from the issuer when first asked for. */
    ClientRegistrationRepository registrations() {
        return id -> REGISTRATION.equals(id) ? registration() : null;
    }

    /**
     * Before the sign-in redirect: when the provider's discovery document cannot be read, the person is sent back to
     * the sign-in page with that reason (Spring's redirect filter would answer 500), and it is tried again next time.
     */
    jakarta.servlet.Filter reachability() {
        return new org.springframework.web.filter.OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(jakarta.servlet.http.HttpServletRequest request) {
                return !request.getRequestURI().equals(request.getContextPath() + "/oauth2/authorization/" + REGISTRATION);
            }

            @Override
            protected void doFilterInternal(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                    jakarta.servlet.FilterChain chain) throws java.io.IOException, jakarta.servlet.ServletException {
                try {
                    registration();
                } catch (RuntimeException e) {
                    log.warn("single sign-on is unavailable: the provider at {} did not answer: {}", properties.issuerUri(), e.getMessage());
                    response.sendRedirect(request.getContextPath() + "/login?sso-unavailable");
                    return;
                }
                chain.doFilter(request, response);
            }
        };
    }

    private ClientRegistration registration() {
        ClientRegistration current = registration;
        if (current == null) {
            synchronized (this) {
                if (registration == null) {
                    registration = ClientRegistrations.fromIssuerLocation(properties.issuerUri()).registrationId(REGISTRATION)
                            .clientId(properties.clientId()).clientSecret(properties.clientSecret() == null ? "" : properties.clientSecret())
                            .scope(properties.scopes()).userNameAttributeName(properties.usernameClaim())
                            .redirectUri("{baseUrl}/login/oauth2/code/{registrationId}").clientName(properties.displayName()).build();
                }
                current = registration;
            }
        }
        return current;
    }

    /** A person signed in through the provider: the role from their bindings, their user name and groups kept for later checks. */
    static final class BoundUser extends DefaultOidcUser {

        private final String user;
        private final List<String> groups;

        BoundUser(Collection<? extends GrantedAuthority> authorities, OidcUser from, String nameClaim, String user, List<String> groups) {
            super(authorities, from.getIdToken(), from.getUserInfo(), nameClaim);
            this.user = user;
            this.groups = List.copyOf(groups);
        }

        /** The audit log's name for this person. */
        @Override
        public String getName() {
            return "oidc:" + user;
        }

        String user() {
            return user;
        }

        List<String> groups() {
            return groups;
        }
    }

    /** Loads the person from the ID token and user info, and gives them their bound role, or refuses them. */
    OAuth2UserService<OidcUserRequest, OidcUser> userService() {
        OidcUserService delegate = new OidcUserService();
        return request -> {
            OidcUser user = delegate.loadUser(request);
            String name = user.getClaimAsString(properties.usernameClaim());
            if (name == null || name.isBlank()) {
                throw new OAuth2AuthenticationException(new OAuth2Error("invalid_user", "the provider gave no " + properties.usernameClaim(), null));
            }
            List<String> groups = groups(user.getClaims());
            Optional<String> role = bindings.roleOf(name, groups);
            if (role.isEmpty()) {
                log.info("single sign-on refused {}: no role binding names the user or one of its groups {}", name, groups);
                throw new OAuth2AuthenticationException(new OAuth2Error("access_denied", "no role binding names you or your groups", null));
            }
            return new BoundUser(Set.of(new SimpleGrantedAuthority("ROLE_" + role.get())), user, properties.usernameClaim(), name, groups);
        };
    }

    /** The groups claim: a list of strings (Keycloak's full paths lose their leading slash). */
    List<String> groups(Map<String, Object> claims) {
        Object value = claims.get(properties.groupsClaim());
        if (!(value instanceof Collection<?> list)) {
            return List.of();
        }
        return list.stream().filter(String.class::isInstance).map(String.class::cast).map(g -> g.startsWith("/") ? g.substring(1) : g)
                .filter(g -> !g.isBlank() && g.length() <= 255).limit(500).toList();
    }

    /** Whether a bearer token has a JWT's shape (three base64url parts), as Certwright's own tokens ({@code cw_…}) have not. */
    static boolean looksLikeJwt(String token) {
        return token.chars().filter(c -> c == '.').count() == 2 && token.startsWith("eyJ");
    }

    /** A provider's token on the API: its subject with the role its bindings give (none: authenticated without a role, so 403). */
    Optional<AbstractAuthenticationToken> authenticate(String token) {
        Jwt jwt;
        try {
            jwt = decoder.decode(token);
        } catch (JwtException e) {
            log.debug("a bearer JWT was refused: {}", e.getMessage());
            return Optional.empty();
        } catch (RuntimeException e) {
            // The provider's discovery document or keys could not be read: the token cannot be checked, so it is refused.
            log.warn("a bearer JWT could not be checked, the provider at {} did not answer: {}", properties.issuerUri(), e.getMessage());
            return Optional.empty();
        }
        String name = Optional.ofNullable(jwt.getClaimAsString(properties.usernameClaim())).or(() -> Optional.ofNullable(jwt.getClaimAsString("azp")))
                .orElse(jwt.getSubject());
        if (name == null || name.isBlank()) {
            return Optional.empty();
        }
        List<String> groups = groups(jwt.getClaims());
        List<GrantedAuthority> authorities = bindings.roleOf(name, groups).<List<GrantedAuthority>>map(r -> List.of(new SimpleGrantedAuthority("ROLE_" + r)))
                .orElse(List.of());
        return Optional.of(new ApiTokenFilter.TokenAuthentication("oidc:" + name, "oidc:" + name, authorities));
    }
}
