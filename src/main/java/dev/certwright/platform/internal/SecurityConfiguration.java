package dev.certwright.platform.internal;

import java.util.List;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.authentication.UsernamePasswordAuthenticationFilter;
import org.springframework.security.web.authentication.LoginUrlAuthenticationEntryPoint;

import jakarta.servlet.DispatcherType;
import dev.certwright.platform.ApiAuthorizationRules;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.ClientCertificateAuthenticator;
import dev.certwright.platform.PageAuthorizationRules;
import dev.certwright.platform.Roles;
import dev.certwright.platform.Users;

/**
 * Three filter chains, each denying what it does not name:
 * <ol>
 * <li>{@code /api/**} and {@code /actuator/**}: bearer tokens, or a service's own managed certificate over mTLS;
 * stateless; roles per endpoint come from each module's {@link ApiAuthorizationRules};</li>
 * <li>the public relying-party endpoints ({@code /ca}, {@code /crl}, {@code /ocsp}), the OpenAPI description, and ACME
 * ({@code /acme}), whose requests are authenticated by their JWS, and the http-01 answers an upstream ACME CA fetches
 * ({@code /.well-known/acme-challenge}, public by nature);</li>
 * <li>the dashboard: form login with CSRF protection, throttled against guessing ({@link SignInGuard}), sessions that
 * time out ({@code server.servlet.session.timeout}) and end at once when their user is disabled or given another role
 * ({@link SessionStandingFilter}), roles per page and action from the dashboard's {@link PageAuthorizationRules}.</li>
 * </ol>
 * Errors are problem documents: 401 for a missing or bad credential, 403 for a missing role.
 */
@Configuration(proxyBeanMethods = false)
@org.springframework.boot.context.properties.EnableConfigurationProperties({OidcProperties.class, LdapProperties.class})
class SecurityConfiguration {

    @Bean
    Oidc oidc(OidcProperties properties, dev.certwright.platform.RoleBindings bindings) {
        return new Oidc(properties, bindings);
    }

    /**
     * The session cookie is SameSite=Strict; with single sign-on it is Lax: the provider's redirect back to
     * {@code /login/oauth2/code/oidc} is a navigation from another site, on which a Strict cookie is not sent, so the
     * authorization request kept in the session would be lost. Lax still keeps the cookie off other sites' POSTs, and
     * every form has its CSRF token.
     */
    @Bean
    org.springframework.boot.web.server.servlet.CookieSameSiteSupplier sessionCookieSameSite(OidcProperties properties) {
        return (properties.enabled() ? org.springframework.boot.web.server.servlet.CookieSameSiteSupplier.ofLax()
                : org.springframework.boot.web.server.servlet.CookieSameSiteSupplier.ofStrict()).whenHasName("JSESSIONID");
    }

    @Bean
    dev.certwright.platform.SignInMethods signInMethods(OidcProperties properties) {
        return new dev.certwright.platform.SignInMethods(properties.localUsers(), properties.enabled(), properties.displayName(),
                properties.enabled() ? "/oauth2/authorization/" + Oidc.REGISTRATION : null);
    }

    @Bean
    static RoleHierarchy roleHierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(Roles.ADMIN).implies(Roles.OPERATOR)
                .role(Roles.OPERATOR).implies(Roles.VIEWER)
                .build();
    }

    @Bean
    PasswordEncoder passwordEncoder() {
        return PasswordEncoderFactories.createDelegatingPasswordEncoder();
    }

    @Bean
    @Order(1)
    SecurityFilterChain apiChain(HttpSecurity http, ApiTokens tokens, ProblemResponses problems,
            List<ApiAuthorizationRules> rules, List<ClientCertificateAuthenticator> certificates, Oidc oidc) throws Exception {
        http.securityMatcher("/api/**", "/actuator/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(b -> b.disable())
                .formLogin(f -> f.disable())
                .logout(l -> l.disable())
                .requestCache(c -> c.disable())
                .addFilterBefore(new ApiTokenFilter(tokens, problems, certificates, oidc), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> {
                            response.setHeader("WWW-Authenticate", "Bearer");
                            Object refused = request.getAttribute(ApiTokenFilter.CERTIFICATE_REFUSED);
                            problems.write(request, response, HttpStatus.UNAUTHORIZED, "unauthorized", refused != null ? refused.toString()
                                    : "this endpoint needs a bearer token (Authorization: Bearer <token>) or a service's client certificate");
                        })
                        .accessDeniedHandler((request, response, ex) -> problems.write(request, response, HttpStatus.FORBIDDEN,
                                "forbidden", "the token's role does not allow this request")))
                .authorizeHttpRequests(a -> {
                    // An ASYNC dispatch finishes a request (a bundle long-poll) that was authorised when it arrived.
                    a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
                    a.requestMatchers("/actuator/health", "/actuator/health/**").permitAll();
                    a.requestMatchers("/actuator/**").hasRole(Roles.ADMIN);
                    rules.forEach(r -> r.configure(a));
                    a.anyRequest().denyAll();
                });
        return http.build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain publicChain(HttpSecurity http) throws Exception {
        // /acme/**: RFC 8555 authenticates every request itself (JWS signed by the account key), checked in acme.web.
        // /.well-known/acme-challenge/**: public by nature, an upstream ACME CA fetches our http-01 answers without
        // credentials (RFC 8555 §8.3); it returns only the key authorization the upstream itself sent (decision 76).
        http.securityMatcher("/ca/**", "/crl/**", "/ocsp", "/ocsp/**", "/v3/api-docs", "/v3/api-docs/**", "/v3/api-docs.yaml", "/acme/**",
                        "/.well-known/acme-challenge/**")
                .csrf(c -> c.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(c -> c.disable())
                .authorizeHttpRequests(a -> a.anyRequest().permitAll());
        return http.build();
    }

    /** The provider's origin, which a sign-out form may post to (CSP form-action follows redirects in some browsers). */
    private static String formTarget(String issuer) {
        java.net.URI uri = java.net.URI.create(issuer);
        return uri.getScheme() + "://" + uri.getAuthority();
    }

    private static LoginUrlAuthenticationEntryPoint relativeSignIn() {
        LoginUrlAuthenticationEntryPoint entryPoint = new LoginUrlAuthenticationEntryPoint("/login");
        entryPoint.setFavorRelativeUris(true);
        return entryPoint;
    }

    @Bean
    @Order(3)
    SecurityFilterChain dashboardChain(HttpSecurity http, List<PageAuthorizationRules> pages, ProblemResponses problems, SignInGuard signIns,
            Users users, Oidc oidc, LdapProperties ldap, PasswordEncoder encoder, dev.certwright.platform.RoleBindings bindings) throws Exception {
        boolean local = oidc.properties().localUsers();
        if (!local && !oidc.enabled() && !ldap.enabled()) {
            throw new dev.certwright.platform.StartupException(
                    "certwright.oidc.local-users=false leaves no way to sign in without certwright.oidc.issuer-uri or certwright.ldap.url");
        }
        if (local || ldap.enabled()) {
            http.formLogin(f -> f.loginPage("/login").successHandler(signIns.successHandler()).failureHandler(signIns.failureHandler()).permitAll())
                    // A blocked user name or address is refused before its password is checked.
                    .addFilterBefore(signIns.filter(), UsernamePasswordAuthenticationFilter.class);
        }
        if (ldap.enabled()) {
            // Decision 77: the form's name and password are tried against the dashboard's own users (unless they are
            // off), then by a bind at the directory, whose groups go through the role bindings.
            List<org.springframework.security.authentication.AuthenticationProvider> providers = new java.util.ArrayList<>();
            if (local) {
                var dao = new org.springframework.security.authentication.dao.DaoAuthenticationProvider(users);
                dao.setPasswordEncoder(encoder);
                providers.add(dao);
            }
            providers.add(new LdapSignIn(ldap, bindings));
            http.authenticationManager(new org.springframework.security.authentication.ProviderManager(providers));
        }
        if (oidc.enabled()) {
            // Decision 77: the provider's sign-in; a person without a role binding is sent back with a reason. Sign-out
            // also ends the session at the provider (OpenID Connect RP-Initiated Logout 1.0).
            var registrations = oidc.registrations();
            var refused = new org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler("/login?sso-refused") {
                @Override
                public void onAuthenticationFailure(jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response,
                        org.springframework.security.core.AuthenticationException exception) throws java.io.IOException, jakarta.servlet.ServletException {
                    org.slf4j.LoggerFactory.getLogger(Oidc.class).info("single sign-on failed: {}", exception.getMessage());
                    super.onAuthenticationFailure(request, response, exception);
                }
            };
            http.oauth2Login(o -> o.loginPage("/login").clientRegistrationRepository(registrations).failureHandler(refused)
                    .userInfoEndpoint(u -> u.oidcUserService(oidc.userService())));
            http.addFilterBefore(oidc.reachability(),
                    org.springframework.security.oauth2.client.web.OAuth2AuthorizationRequestRedirectFilter.class);
            var logout = new org.springframework.security.oauth2.client.oidc.web.logout.OidcClientInitiatedLogoutSuccessHandler(registrations);
            logout.setPostLogoutRedirectUri("{baseUrl}/login?logout");
            logout.setDefaultTargetUrl("/login?logout");
            http.logout(l -> l.logoutUrl("/logout").logoutSuccessHandler(logout).deleteCookies("JSESSIONID").permitAll());
        } else {
            http.logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?logout").deleteCookies("JSESSIONID").permitAll());
        }
        // A session whose user was disabled, given another role or lost its role binding ends on its next request.
        http.addFilterBefore(new SessionStandingFilter(users, bindings), AuthorizationFilter.class)
                .sessionManagement(s -> s.sessionFixation(f -> f.changeSessionId()).invalidSessionUrl("/login?expired"))
                .headers(h -> h.contentSecurityPolicy(c -> c.policyDirectives("default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
                        + "form-action 'self'" + (oidc.enabled() ? " " + formTarget(oidc.properties().issuerUri()) : "") + "; base-uri 'none'")))
                // The sign-in redirect is relative: the default builds it from the request's Host header, which the client writes.
                .exceptionHandling(e -> e.authenticationEntryPoint(relativeSignIn()).accessDeniedHandler((request, response, ex) -> problems.write(request, response,
                        HttpStatus.FORBIDDEN, "forbidden", "your role does not allow this")))
                .authorizeHttpRequests(a -> {
                    a.dispatcherTypeMatchers(DispatcherType.ERROR).permitAll();
                    a.requestMatchers("/login", "/css/**", "/favicon.ico").permitAll();
                    pages.forEach(p -> p.configure(a));
                    a.anyRequest().denyAll();
                });
        return http.build();
    }
}
