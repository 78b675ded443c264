package dev.certwright.keys;

import dev.certwright.platform.CertwrightException;

/**
 * A failure of the key handling: the key-encryption key is not there yet (the CA is not installed), or a key cannot be
 * wrapped, unwrapped or derived. Never the client's concern: 503 with the CA's generic detail, the message staying in
 * the log, as before this module had its own exception (decision 64).
 */
public class KeyException extends CertwrightException {

    /** What went wrong. */
    public enum Type {
        NOT_INSTALLED,
        KEY_WRAP
    }

    private final Type type;

    public KeyException(Type type, String message) {
        super(Kind.UNAVAILABLE, "ca-unavailable", message);
        this.type = type;
    }

    public KeyException(Type type, String message, Throwable cause) {
        super(Kind.UNAVAILABLE, "ca-unavailable", message, cause);
        this.type = type;
    }

    public Type type() {
        return type;
    }

    @Override
    public String clientDetail() {
        return "the CA cannot serve this request now";
    }
}
