package dev.certwright.issuance;

import dev.certwright.platform.CertwrightException;

/** A request the registration authority cannot fulfil, for a reason other than policy. */
public class IssuanceException extends CertwrightException {

    /** Why. */
    public enum Type {
        /** The request itself is unusable (bad field, bad CSR). */
        BAD_REQUEST(Kind.BAD_REQUEST, "invalid-request"),
        /** No such managed certificate or certificate. */
        NOT_FOUND(Kind.NOT_FOUND, "not-found"),
        /** The certificate could not be signed; the row is FAILED and the serial stays reserved. */
        SIGNING_FAILED(Kind.UNAVAILABLE, "signing-failed"),
        /** The CA cannot issue this (e.g. it would outlive its issuer), or cannot revoke this certificate. */
        CA_REFUSED(Kind.UNPROCESSABLE, "ca-refused"),
        /** The certificate is not in a state that allows the change (already revoked, not on hold, never issued). */
        CONFLICT(Kind.CONFLICT, "conflict"),
        /** A host this request depends on failed (on-host key mode: the target could not make the key). */
        UPSTREAM(Kind.UPSTREAM, "target-failed"),
        /** The upstream ACME CA a profile names (decision 76) refused the request or could not be reached. */
        UPSTREAM_CA(Kind.UPSTREAM, "upstream-ca-failed"),
        /**
         * The profile's issuer cannot sign yet: it awaits its certificate from an outside CA, or its parent does. The
         * detail says what to do.
         */
        ISSUER_NOT_READY(Kind.CONFLICT, "issuer-not-ready"),
        /** The caller's role does not allow this part of the request (naming deployment targets, on-host keys). */
        FORBIDDEN(Kind.FORBIDDEN, "forbidden"),
        /** A KEK rotation is re-wrapping the stored keys, or another node changed the CA keystore first (decision 68). */
        KEK_ROTATION_RUNNING(Kind.CONFLICT, "kek-rotation-running");

        private final Kind kind;
        private final String problemType;

        Type(Kind kind, String problemType) {
            this.kind = kind;
            this.problemType = problemType;
        }
    }

    private final Type type;

    public IssuanceException(Type type, String message) {
        super(type.kind, type.problemType, message);
        this.type = type;
    }

    public IssuanceException(Type type, String message, Throwable cause) {
        super(type.kind, type.problemType, message, cause);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
