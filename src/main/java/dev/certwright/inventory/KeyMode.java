package dev.certwright.inventory;

import com.fasterxml.jackson.annotation.JsonValue;

/** Who makes and holds a managed certificate's key. The text is what {@code managed_certificate.key_mode} and JSON hold. */
public enum KeyMode {
    /** Certwright makes the key and keeps it wrapped under the key-encryption key. */
    MANAGED("managed"),
    /** The single target makes it with openssl; Certwright never sees it. */
    ON_HOST("on-host");

    private final String text;

    KeyMode(String text) {
        this.text = text;
    }

    /** The stored and wire text: {@code managed} or {@code on-host}. */
    @JsonValue
    public String text() {
        return text;
    }

    /** The mode of a stored or requested text, or empty for anything else. */
    public static java.util.Optional<KeyMode> ofText(String text) {
        for (KeyMode mode : values()) {
            if (mode.text.equals(text)) {
                return java.util.Optional.of(mode);
            }
        }
        return java.util.Optional.empty();
    }

    /** The text, so that views print {@code on-host}, not the constant's name. */
    @Override
    public String toString() {
        return text;
    }
}
