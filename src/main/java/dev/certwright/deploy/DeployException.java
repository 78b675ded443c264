package dev.certwright.deploy;

import dev.certwright.platform.CertwrightException;

/** A deployment request that cannot be carried out; each type names the kind of refusal a client sees. */
public class DeployException extends CertwrightException {

    /** What went wrong, for the status it maps to. */
    public enum Type {
        /** 400: the request is invalid. */
        BAD_REQUEST(Kind.BAD_REQUEST, "invalid-request"),
        /** 404: no such target or slot. */
        NOT_FOUND(Kind.NOT_FOUND, "not-found"),
        /** 409: the request conflicts with what exists. */
        CONFLICT(Kind.CONFLICT, "conflict");

        private final Kind kind;
        private final String problemType;

        Type(Kind kind, String problemType) {
            this.kind = kind;
            this.problemType = problemType;
        }
    }

    private final Type type;

    public DeployException(Type type, String message) {
        super(type.kind, type.problemType, message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
