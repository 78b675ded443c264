package dev.certwright.acme.domain;

/** The status values of RFC 8555 §7.1.6. */
public final class Status {

    public static final String PENDING = "pending";
    public static final String READY = "ready";
    public static final String PROCESSING = "processing";
    public static final String VALID = "valid";
    public static final String INVALID = "invalid";
    public static final String EXPIRED = "expired";
    public static final String DEACTIVATED = "deactivated";
    public static final String REVOKED = "revoked";

    private Status() {
    }
}
