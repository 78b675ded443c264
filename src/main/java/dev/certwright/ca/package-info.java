/**
 * Signing, and nothing else. The CA holds the issuers (each a certificate chain and a private key) loaded from an
 * encrypted PKCS#12 keystore, and the key-encryption key that wraps managed private keys. It builds and signs
 * certificates from a {@link dev.certwright.ca.CertificateTemplate}. It knows no database: the keystore's bytes are
 * handed to it by whoever stores them.
 */
@org.springframework.modulith.ApplicationModule(displayName = "ca", allowedDependencies = {"x509", "policy", "platform"})
package dev.certwright.ca;
