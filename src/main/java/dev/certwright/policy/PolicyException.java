package dev.certwright.policy;

import dev.certwright.platform.CertwrightException;

/**
 * A request the profile or policy refuses. The message names the offending identifier or value. Every type is
 * unprocessable (422): the request is well-formed, the rules refuse it.
 */
public class PolicyException extends CertwrightException {

    /** Why the request was refused. */
    public enum Type {
        /** No such profile. */
        UNKNOWN_PROFILE("unknown-profile"),
        /** A DNS name or IP address outside the allowed ones, or malformed. */
        REJECTED_IDENTIFIER("rejected-identifier"),
        /** A key of a type, size or exponent the policy refuses, or a weak key. */
        BAD_KEY("bad-key"),
        /** A validity outside the profile's bounds. */
        BAD_VALIDITY("bad-validity"),
        /** The request names nothing to certify, or is otherwise unusable. */
        BAD_REQUEST("invalid-request");

        private final String problemType;

        Type(String problemType) {
            this.problemType = problemType;
        }
    }

    private final Type type;

    public PolicyException(Type type, String message) {
        super(Kind.UNPROCESSABLE, type.problemType, message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
