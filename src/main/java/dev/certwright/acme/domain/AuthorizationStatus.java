package dev.certwright.acme.domain;

import java.util.Arrays;

/** RFC 8555 §7.1.6 status of an authorization. Each value carries its RFC text, which is also the text stored in the database. */
public enum AuthorizationStatus {
    PENDING("pending"),
    VALID("valid"),
    INVALID("invalid"),
    DEACTIVATED("deactivated"),
    EXPIRED("expired"),
    REVOKED("revoked");

    private final String text;

    AuthorizationStatus(String text) {
        this.text = text;
    }

    /**
     * RFC 8555 §7.1.6: the status after one of the authorization's challenges was validated: a pending authorization
     * becomes valid when the challenge is valid and invalid when it failed; any other status stays.
     */
    public AuthorizationStatus afterChallenge(boolean challengeValid) {
        if (this != PENDING) {
            return this;
        }
        return challengeValid ? VALID : INVALID;
    }

    /** RFC 8555 §7.5.2: the client may deactivate a pending or valid authorization, and no other. */
    public boolean deactivatable() {
        return this == PENDING || this == VALID;
    }

    /** The RFC text of this value, as the JSON and the database hold it. */
    public String text() {
        return text;
    }

    /** The value of a text read from the database or a request; IllegalArgumentException when it is none. */
    public static AuthorizationStatus fromText(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a AuthorizationStatus: " + text));
    }

    /** The RFC text, so that a value in a message reads as the JSON does. */
    @Override
    public String toString() {
        return text;
    }
}
