package dev.certwright.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.certwright.platform.ApiAuthorizationRules;
import dev.certwright.platform.Roles;

/** The role each {@code /api/v1} endpoint needs. Anything not listed here is denied. */
@Configuration(proxyBeanMethods = false)
class ApiRules {

    @Bean
    ApiAuthorizationRules certificateApiRules() {
        return rules -> rules
                .requestMatchers(HttpMethod.GET, "/api/v1/issuers/*/csr").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.PUT, "/api/v1/issuers/*/certificate").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.POST, "/api/v1/issuers/*/rollover").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.GET, "/api/v1/issuers", "/api/v1/issuers/*").hasRole(Roles.VIEWER)
                .requestMatchers(HttpMethod.POST, "/api/v1/ca-config/reload").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.GET, "/api/v1/certificates", "/api/v1/certificates/*").hasRole(Roles.VIEWER)
                .requestMatchers(HttpMethod.POST, "/api/v1/certificates", "/api/v1/certificates/import").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.POST, "/api/v1/imports").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.POST, "/api/v1/certificates/*/revoke", "/api/v1/certificates/*/unrevoke").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.POST, "/api/v1/managed-certificates/*/revoke").hasRole(Roles.OPERATOR)
                // A service renews its own slot over mTLS; ManagedCertificateController checks which slot.
                .requestMatchers(HttpMethod.POST, "/api/v1/managed-certificates/*/renew").hasAnyRole(Roles.OPERATOR, Roles.SERVICE)
                .requestMatchers(HttpMethod.GET, "/api/v1/managed-certificates/*").hasRole(Roles.VIEWER)
                .requestMatchers(HttpMethod.POST, "/api/v1/managed-certificates").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.GET, "/api/v1/audit-log", "/api/v1/audit-log/verify").hasRole(Roles.OPERATOR)
                .requestMatchers("/api/v1/api-tokens", "/api/v1/api-tokens/*").hasRole(Roles.ADMIN)
                .requestMatchers("/api/v1/role-bindings", "/api/v1/role-bindings/*").hasRole(Roles.ADMIN)
                .requestMatchers("/api/v1/service-tokens", "/api/v1/service-tokens/*").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.GET, "/api/v1/owners/*/contacts").hasRole(Roles.VIEWER)
                .requestMatchers(HttpMethod.PUT, "/api/v1/owners/*/contacts").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.POST, "/api/v1/acme/renewal-info/advance").hasRole(Roles.ADMIN)
                // The whole database, encrypted to the caller's passphrase (BackupController).
                .requestMatchers(HttpMethod.POST, "/api/v1/backups").hasRole(Roles.ADMIN)
                .requestMatchers("/api/v1/acme/eab-keys", "/api/v1/acme/eab-keys/*").hasRole(Roles.ADMIN)
                // The key-encryption keys: what wraps every stored private key (decision 68).
                .requestMatchers(HttpMethod.GET, "/api/v1/kek").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.POST, "/api/v1/kek/rotate").hasRole(Roles.ADMIN);
    }

    /** The deployer's endpoints (targets and a slot's deployments): {@link DeployController}. */
    @Bean
    ApiAuthorizationRules deployApiRules() {
        return rules -> rules
                .requestMatchers(HttpMethod.GET, "/api/v1/deploy/targets", "/api/v1/deploy/targets/*", "/api/v1/deploy/ssh-key").hasRole(Roles.VIEWER)
                .requestMatchers("/api/v1/deploy/targets", "/api/v1/deploy/targets/*").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.PUT, "/api/v1/managed-certificates/*/targets").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.POST, "/api/v1/managed-certificates/*/deploy").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.GET, "/api/v1/managed-certificates/*/deployments").hasRole(Roles.VIEWER);
    }

    /** Network discovery: {@link DiscoveryController}. Scans reach into the network, so only an admin defines or runs them. */
    @Bean
    ApiAuthorizationRules discoveryApiRules() {
        return rules -> rules
                .requestMatchers("/api/v1/discovery/scans", "/api/v1/discovery/scans/*", "/api/v1/discovery/scans/*/run",
                        "/api/v1/discovery/scans/*/runs", "/api/v1/discovery/scans/*/runs/*").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.POST, "/api/v1/discovery/owners").hasRole(Roles.OPERATOR);
    }

    /** A service's bundle pull: {@link BundleController}, which also checks the token's scope. */
    @Bean
    ApiAuthorizationRules bundleApiRules() {
        return rules -> rules.requestMatchers(HttpMethod.GET, "/api/v1/managed-certificates/*/bundle").hasRole(Roles.SERVICE);
    }
}
