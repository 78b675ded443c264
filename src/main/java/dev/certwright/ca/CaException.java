package dev.certwright.ca;

import dev.certwright.platform.CertwrightException;

/**
 * A failure inside the CA: a missing issuer, a keystore that will not open, a signature that failed. Only an unknown
 * issuer is the client's concern (404); anything else is 503 with a generic detail, the message staying in the log.
 */
public class CaException extends CertwrightException {

    /** What went wrong. */
    public enum Type {
        UNKNOWN_ISSUER,
        NOT_INSTALLED,
        KEYSTORE,
        SIGNING,
        /** A key and a certificate that do not belong together (an import, an installed chain). */
        KEY_MISMATCH
    }

    private final Type type;

    public CaException(Type type, String message) {
        super(kindOf(type), type == Type.UNKNOWN_ISSUER ? "unknown-issuer" : "ca-unavailable", message);
        this.type = type;
    }

    public CaException(Type type, String message, Throwable cause) {
        super(kindOf(type), type == Type.UNKNOWN_ISSUER ? "unknown-issuer" : "ca-unavailable", message, cause);
        this.type = type;
    }

    private static Kind kindOf(Type type) {
        return type == Type.UNKNOWN_ISSUER ? Kind.NOT_FOUND : Kind.UNAVAILABLE;
    }

    public Type type() {
        return type;
    }

    @Override
    public String clientDetail() {
        return type == Type.UNKNOWN_ISSUER ? getMessage() : "the CA cannot serve this request now";
    }
}
