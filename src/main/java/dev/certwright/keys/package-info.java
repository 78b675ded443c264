/**
 * Key handling, apart from signing: the key-encryption key (KEK) that the CA keystore carries, AES-256-GCM wrapping
 * of private keys stored in the database ({@link dev.certwright.keys.KeyWrapping}: managed certificate keys, OCSP
 * responder keys, the SSH identity), and the secrets derived from the KEK for one purpose each
 * ({@link dev.certwright.keys.DerivedSecrets}: ACME nonces and EAB MAC keys, the audit chain and checkpoint keys).
 * Whoever opens the CA keystore installs its KEKs here ({@code kek-1}, and one more per KEK rotation: each stored key
 * names the one that wrapped it, new wraps use the newest, the secrets are derived from the first; decision 68); the
 * front ends ask this module, not the signer. It knows no database: the module that owns the keystore's row implements
 * {@link dev.certwright.keys.KeyEncryptionKeySource}, and each module that stores wrapped keys a
 * {@link dev.certwright.keys.WrappedKeyStore}, which a rotation walks.
 */
@org.springframework.modulith.ApplicationModule(displayName = "keys", allowedDependencies = {"audit", "platform"})
package dev.certwright.keys;
