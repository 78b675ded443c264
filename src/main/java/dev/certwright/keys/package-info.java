/**
 * Key handling, apart from signing: the key-encryption key (KEK) that the CA keystore carries, AES-256-GCM wrapping
 * of private keys stored in the database ({@link dev.certwright.keys.KeyWrapping}: managed certificate keys, OCSP
 * responder keys, the SSH identity), and the secrets derived from the KEK for one purpose each
 * ({@link dev.certwright.keys.DerivedSecrets}: ACME nonces and EAB MAC keys, the audit chain and checkpoint keys).
 * Whoever opens the CA keystore installs the KEK here; the front ends ask this module, not the signer. It knows no
 * database. {@code ca} is used only for its exception type, which the web edge maps to a problem document.
 */
@org.springframework.modulith.ApplicationModule(displayName = "keys", allowedDependencies = {"audit", "platform"})
package dev.certwright.keys;
