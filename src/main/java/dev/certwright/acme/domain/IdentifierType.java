package dev.certwright.acme.domain;

import java.util.Arrays;

/** Identifier types: RFC 8555 §9.7.7 dns, RFC 8738 ip. Each value carries its RFC text, which is also the text stored in the database. */
public enum IdentifierType {
    DNS("dns"),
    IP("ip");

    private final String text;

    IdentifierType(String text) {
        this.text = text;
    }

    /** The RFC text of this value, as the JSON and the database hold it. */
    public String text() {
        return text;
    }

    /** The value of a text read from the database or a request; IllegalArgumentException when it is none. */
    public static IdentifierType fromText(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a IdentifierType: " + text));
    }

    /** The RFC text, so that a value in a message reads as the JSON does. */
    @Override
    public String toString() {
        return text;
    }
}
