/**
 * Profiles and rules, loaded from {@code ca-config/}: the CA hierarchy to create, the certificate
 * profiles (validity bounds, key usages, EKUs) and the policy (allowed names and IP ranges, key types
 * and sizes, weak-key checks). {@link dev.certwright.policy.CaConfiguration} is the loaded file and
 * {@link dev.certwright.policy.IssuancePolicy} checks a request against it.
 */
@org.springframework.modulith.ApplicationModule(displayName = "policy", allowedDependencies = {"x509", "platform"})
package dev.certwright.policy;
