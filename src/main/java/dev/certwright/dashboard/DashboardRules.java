package dev.certwright.dashboard;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

import dev.certwright.platform.PageAuthorizationRules;
import dev.certwright.platform.Roles;

/**
 * The role each dashboard page and action needs, enforced by the form-login chain whatever the page shows: VIEWER
 * reads, OPERATOR revokes, renews, deploys, runs jobs, imports certificates and creates managed certificates without targets, ADMIN
 * creates and edits the rest. Anything else is denied.
 */
@Configuration(proxyBeanMethods = false)
class DashboardRules {

    @Bean
    PageAuthorizationRules dashboardPageRules() {
        return rules -> rules
                // OPERATOR actions
                .requestMatchers("/certificates/*/revoke").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.POST, "/managed/*/renew", "/managed/*/deploy", "/jobs/*/*/run").hasRole(Roles.OPERATOR)
                .requestMatchers(HttpMethod.GET, "/audit").hasRole(Roles.OPERATOR)
                // Bulk import (decision 74), as POST /api/v1/imports
                .requestMatchers("/imports").hasRole(Roles.OPERATOR)
                // An operator creates managed certificates as the API lets it; ManagedPages refuses targets and on-host keys
                // to anyone but an admin.
                .requestMatchers("/managed/new").hasRole(Roles.OPERATOR)
                // ADMIN: create and edit
                .requestMatchers("/managed/*/targets", "/targets/new", "/targets/*/edit").hasRole(Roles.ADMIN)
                .requestMatchers(HttpMethod.POST, "/service-tokens", "/service-tokens/*/revoke").hasRole(Roles.ADMIN)
                .requestMatchers("/users", "/users/**").hasRole(Roles.ADMIN)
                // Discovery (decision 75): ADMIN, as the scans API is
                .requestMatchers("/discovery", "/discovery/*/run").hasRole(Roles.ADMIN)
                // VIEWER: the pages
                .requestMatchers(HttpMethod.GET, "/", "/certificates", "/certificates.csv", "/certificates/*", "/certificates/*/pem",
                        "/managed", "/managed/*", "/targets", "/targets/*", "/issuers", "/acme-accounts", "/acme-accounts/*", "/service-tokens", "/service-tokens/*", "/jobs")
                .hasRole(Roles.VIEWER);
    }
}
