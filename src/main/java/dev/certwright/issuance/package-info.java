/**
 * The registration authority, and the only caller of {@code ca} for certificates. It bootstraps the CA, issues,
 * imports and (later) renews and revokes: check the policy, reserve the serial, sign, store, publish the event, in
 * that order, so that nothing is signed that was not recorded first. At startup it opens the CA and has a restored
 * node's restore recorded ({@code backup}'s RestoreAcknowledgement), with the passphrase only it holds.
 */
@org.springframework.modulith.ApplicationModule(displayName = "issuance",
        allowedDependencies = {"x509", "policy", "ca", "keys", "inventory", "platform", "audit", "backup"})
package dev.certwright.issuance;
