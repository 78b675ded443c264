package dev.certwright.ca;

/** A failure inside the CA: a missing issuer, a keystore that will not open, a signature that failed. */
public class CaException extends RuntimeException {

    /** What went wrong. */
    public enum Type {
        UNKNOWN_ISSUER,
        NOT_INSTALLED,
        KEYSTORE,
        SIGNING,
        KEY_WRAP
    }

    private final Type type;

    public CaException(Type type, String message) {
        super(message);
        this.type = type;
    }

    public CaException(Type type, String message, Throwable cause) {
        super(message, cause);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
