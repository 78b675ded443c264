package dev.certwright.ca;

import java.security.PrivateKey;
import java.security.Provider;

import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import dev.certwright.x509.KeySpec;

/**
 * The one way the CA makes a Bouncy Castle signer for a key: with the key type's signature algorithm, through the
 * token's provider for a key held in a PKCS#11 token, through the JDK's provider order for a key in this process.
 */
final class ContentSigners {

    private ContentSigners() {
    }

    /** @param provider the token's provider, or null for a key in this process */
    static ContentSigner of(KeySpec spec, PrivateKey key, Provider provider) throws OperatorCreationException {
        JcaContentSignerBuilder builder = new JcaContentSignerBuilder(spec.signatureAlgorithm());
        if (provider != null) {
            builder.setProvider(provider);
        }
        return builder.build(key);
    }
}
