package dev.certwright.keys.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import javax.crypto.Mac;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

import dev.certwright.keys.KeyException;

/**
 * A 256-bit secret for one purpose and context: HMAC-SHA256 keyed with the KEK over
 * {@code "certwright-derived:" + purpose + ":" + context}. The label is fixed: stored nonces, EAB bindings and audit
 * MACs were made with it.
 */
public final class SecretDerivation {

    private SecretDerivation() {
    }

    public static byte[] derive(SecretKey kek, String purpose, String context) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(kek.getEncoded(), "HmacSHA256"));
            return mac.doFinal(("certwright-derived:" + purpose + ":" + context).getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new KeyException(KeyException.Type.KEY_WRAP, "cannot derive a secret", e);
        }
    }
}
