package dev.certwright.policy;

/** A request the profile or policy refuses. The message names the offending identifier or value. */
public class PolicyException extends RuntimeException {

    /** Why the request was refused. */
    public enum Type {
        /** No such profile. */
        UNKNOWN_PROFILE,
        /** A DNS name or IP address outside the allowed ones, or malformed. */
        REJECTED_IDENTIFIER,
        /** A key of a type, size or exponent the policy refuses, or a weak key. */
        BAD_KEY,
        /** A validity outside the profile's bounds. */
        BAD_VALIDITY,
        /** The request names nothing to certify, or is otherwise unusable. */
        BAD_REQUEST
    }

    private final Type type;

    public PolicyException(Type type, String message) {
        super(message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
