package dev.certwright.x509;

/**
 * Certificates that parse but do not form a chain one could build a path from (RFC 5280 §6.1): a loop, an "issuer"
 * that is no CA, a signature that does not verify, a path longer than allowed. The message is safe to show a client.
 */
public class ChainException extends X509Exception {

    public ChainException(String message) {
        super(message);
    }
}
