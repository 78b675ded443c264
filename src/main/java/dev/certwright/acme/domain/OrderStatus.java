package dev.certwright.acme.domain;

import java.util.Arrays;

/** RFC 8555 §7.1.6 status of an order. Each value carries its RFC text, which is also the text stored in the database. */
public enum OrderStatus {
    PENDING("pending"),
    READY("ready"),
    PROCESSING("processing"),
    VALID("valid"),
    INVALID("invalid");

    private final String text;

    OrderStatus(String text) {
        this.text = text;
    }

    /** RFC 8555 §7.1.6: processing, valid and invalid, once stored, stay whatever the authorizations do. */
    public boolean settled() {
        return this == PROCESSING || this == VALID || this == INVALID;
    }

    /** The RFC text of this value, as the JSON and the database hold it. */
    public String text() {
        return text;
    }

    /** The value of a text read from the database or a request; IllegalArgumentException when it is none. */
    public static OrderStatus fromText(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a OrderStatus: " + text));
    }

    /** The RFC text, so that a value in a message reads as the JSON does. */
    @Override
    public String toString() {
        return text;
    }
}
