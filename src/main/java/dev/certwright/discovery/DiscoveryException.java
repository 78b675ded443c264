package dev.certwright.discovery;

import dev.certwright.platform.CertwrightException;

/** A discovery request that cannot be done as asked. */
public class DiscoveryException extends CertwrightException {

    /** Why. */
    public enum Type {
        /** No scan or run of that name or id. */
        NOT_FOUND(Kind.NOT_FOUND, "not-found"),
        /** A scan of that name exists. */
        DUPLICATE(Kind.CONFLICT, "duplicate"),
        /** A target, port, server name, schedule or limit that cannot be used. */
        INVALID(Kind.BAD_REQUEST, "invalid-request"),
        /** A target outside certwright.discovery.allowed-networks, or a range over certwright.discovery.max-addresses. */
        NOT_ALLOWED(Kind.UNPROCESSABLE, "scan-target-not-allowed");

        private final Kind kind;
        private final String problemType;

        Type(Kind kind, String problemType) {
            this.kind = kind;
            this.problemType = problemType;
        }
    }

    private final Type type;

    public DiscoveryException(Type type, String message) {
        super(type.kind, type.problemType, message);
        this.type = type;
    }

    public Type type() {
        return type;
    }
}
