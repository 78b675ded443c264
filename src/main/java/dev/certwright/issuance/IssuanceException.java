package dev.certwright.issuance;

/** A request the registration authority cannot fulfil, for a reason other than policy. */
public class IssuanceException extends RuntimeException {

    /** Why. */
    public enum Type {
        /** The request itself is unusable (bad field, bad CSR). */
        BAD_REQUEST,
        /** No such managed certificate or certificate. */
        NOT_FOUND,
        /** The certificate could not be signed; the row is FAILED and the serial stays reserved. */
        SIGNING_FAILED,
        /** The CA cannot issue this (e.g. it would outlive its issuer), or cannot revoke this certificate. */
        CA_REFUSED,
        /** The certificate is not in a state that allows the change (already revoked, not on hold, never issued). */
        CONFLICT,
        /** A host this request depends on failed (on-host key mode: the target could not make the key). */
        UPSTREAM,
        /** The caller's role does not allow this part of the request (naming deployment targets, on-host keys). */
        FORBIDDEN
    }

    private final Type type;

    public IssuanceException(Type type, String message) {
        super(message);
        this.type = type;
    }

    public IssuanceException(Type type, String message, Throwable cause) {
        super(message, cause);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
