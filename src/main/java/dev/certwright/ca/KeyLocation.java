package dev.certwright.ca;

/** Where an issuer's private key is kept. */
public enum KeyLocation {
    /** In the CA keystore, the encrypted PKCS#12 stored in the database. */
    KEYSTORE,
    /** In a PKCS#11 token (an HSM), as a sensitive, non-extractable object. */
    PKCS11
}
