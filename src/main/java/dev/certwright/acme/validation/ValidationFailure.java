package dev.certwright.acme.validation;

/** Why a validation attempt failed, as an ACME problem type name (connection, dns, tls, incorrectResponse, …). */
public class ValidationFailure extends Exception {

    private final String type;

    public ValidationFailure(String type, String detail) {
        super(detail);
        this.type = type;
    }

    public String type() {
        return type;
    }
}
