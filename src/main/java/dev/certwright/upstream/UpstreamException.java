package dev.certwright.upstream;

import dev.certwright.platform.CertwrightException;

/** A refusal of the upstream module; its type names the answer. */
public class UpstreamException extends CertwrightException {

    /** What went wrong. */
    public enum Type {
        /** No http-01 key authorization for this token. */
        NOT_FOUND(Kind.NOT_FOUND, "not-found");

        private final Kind kind;
        private final String problemType;

        Type(Kind kind, String problemType) {
            this.kind = kind;
            this.problemType = problemType;
        }
    }

    public UpstreamException(Type type, String message) {
        super(type.kind, type.problemType, message);
    }
}
