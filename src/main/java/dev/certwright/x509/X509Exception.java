package dev.certwright.x509;

/** Input that is not a well-formed certificate, CSR, key or PEM document. The message is safe to show a client. */
public class X509Exception extends RuntimeException {

    public X509Exception(String message) {
        super(message);
    }

    public X509Exception(String message, Throwable cause) {
        super(message, cause);
    }
}
