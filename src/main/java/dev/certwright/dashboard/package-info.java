/**
 * The operators' web dashboard: Thymeleaf controllers and view models. The views live in the top-level
 * {@code templates/} folder. Nothing depends on this module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "dashboard",
        allowedDependencies = {"x509", "platform", "policy", "audit", "inventory", "issuance", "revocation", "renewal", "delivery", "deploy",
                "acme", "upstream", "discovery"})
package dev.certwright.dashboard;
