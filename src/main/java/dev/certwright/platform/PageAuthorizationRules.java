package dev.certwright.platform;

import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;

/**
 * The dashboard's contribution to the form-login chain's rules: which role each page and form action needs. The
 * chain applies them and denies whatever they do not name. Roles are checked here, on the server, for every action,
 * whatever buttons a page shows.
 */
@FunctionalInterface
public interface PageAuthorizationRules {

    void configure(AuthorizeHttpRequestsConfigurer<HttpSecurity>.AuthorizationManagerRequestMatcherRegistry rules);
}
