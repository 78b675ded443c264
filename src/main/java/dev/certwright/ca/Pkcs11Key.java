package dev.certwright.ca;

import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;

import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;

import dev.certwright.x509.KeySpec;

/**
 * An issuer key kept in a PKCS#11 token: a handle to the token object (its value never leaves the token) with the
 * SunPKCS11 provider that signs with it, and the certificate chain stored beside it. Signing goes through that provider:
 * {@code new JcaContentSignerBuilder(alg).setProvider(provider()).build(privateKey())}, as {@link #contentSigner()} does.
 * A software provider cannot use the handle.
 *
 * @param alias the entry's name in the token (the issuer generation's name)
 * @param chain the key's certificate first; a {@link PlaceholderCertificate} until the real one is installed
 */
record Pkcs11Key(String alias, PrivateKey privateKey, Provider provider, List<X509Certificate> chain, KeySpec keySpec) {

    Pkcs11Key {
        chain = List.copyOf(chain);
    }

    X509Certificate certificate() {
        return chain.get(0);
    }

    PublicKey publicKey() {
        return certificate().getPublicKey();
    }

    /** True while the certificate is the self-signed stand-in made when the key was generated. */
    boolean placeholder() {
        return PlaceholderCertificate.is(certificate());
    }

    /** A Bouncy Castle signer for certificates, CRLs and OCSP responses, signing in the token. */
    ContentSigner contentSigner() {
        try {
            return ContentSigners.of(keySpec, privateKey, provider);
        } catch (OperatorCreationException e) {
            throw new CaException(CaException.Type.SIGNING, "cannot sign with token key '" + alias + "' (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String toString() {
        return "Pkcs11Key[" + alias + ", " + keySpec.id() + ", " + provider.getName() + "]";
    }
}
