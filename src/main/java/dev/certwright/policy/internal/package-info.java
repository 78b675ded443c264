/**
 * How the policy is loaded: the CA configuration file reader (YAML to {@code CaConfiguration}, every error naming its
 * key), its exception, and the Spring configuration that makes the policy beans from it.
 */
package dev.certwright.policy.internal;
