/**
 * The operators' web dashboard: Thymeleaf controllers and view models. The views live in the top-level
 * {@code templates/} folder. Nothing depends on this module.
 */
@org.springframework.modulith.ApplicationModule(displayName = "dashboard")
package dev.certwright.dashboard;
