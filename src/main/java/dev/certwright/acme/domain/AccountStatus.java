package dev.certwright.acme.domain;

import java.util.Arrays;

/** RFC 8555 §7.1.6 status of an account. Each value carries its RFC text, which is also the text stored in the database. */
public enum AccountStatus {
    VALID("valid"),
    DEACTIVATED("deactivated"),
    REVOKED("revoked");

    private final String text;

    AccountStatus(String text) {
        this.text = text;
    }

    /** The RFC text of this value, as the JSON and the database hold it. */
    public String text() {
        return text;
    }

    /** The value of a text read from the database or a request; IllegalArgumentException when it is none. */
    public static AccountStatus fromText(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a AccountStatus: " + text));
    }

    /** The RFC text, so that a value in a message reads as the JSON does. */
    @Override
    public String toString() {
        return text;
    }
}
