package dev.certwright.acme.domain;

import java.util.Arrays;

/** RFC 8555 §7.1.6 status of a challenge. Each value carries its RFC text, which is also the text stored in the database. */
public enum ChallengeStatus {
    PENDING("pending"),
    PROCESSING("processing"),
    VALID("valid"),
    INVALID("invalid");

    private final String text;

    ChallengeStatus(String text) {
        this.text = text;
    }

    /** RFC 8555 §7.5.1: only a pending challenge starts validating (pending → processing) when the client responds. */
    public boolean startable() {
        return this == PENDING;
    }

    /** RFC 8555 §7.1.6: a processing challenge ends valid or invalid. */
    public static ChallengeStatus afterValidation(boolean valid) {
        return valid ? VALID : INVALID;
    }

    /** The RFC text of this value, as the JSON and the database hold it. */
    public String text() {
        return text;
    }

    /** The value of a text read from the database or a request; IllegalArgumentException when it is none. */
    public static ChallengeStatus fromText(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a ChallengeStatus: " + text));
    }

    /** The RFC text, so that a value in a message reads as the JSON does. */
    @Override
    public String toString() {
        return text;
    }
}
