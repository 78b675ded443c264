package dev.certwright.acme.validation;

/**
 * Why a validation attempt failed, as an ACME problem type name (connection, dns, tls, incorrectResponse, …) and a
 * detail for the account holder. The detail says what failed in generic words: validation connects where an account
 * holder points it, so an exception text, a status code from a redirect target or fetched content would make it a
 * probe of the server's network. What actually happened, for the operator, is in {@link #internal()}, logged at debug.
 */
public class ValidationFailure extends Exception {

    private final String type;
    private final String internal;

    public ValidationFailure(String type, String detail) {
        this(type, detail, detail);
    }

    public ValidationFailure(String type, String detail, String internal) {
        super(detail);
        this.type = type;
        this.internal = internal;
    }

    public String type() {
        return type;
    }

    /** What happened, for the server's log only. */
    public String internal() {
        return internal;
    }
}
