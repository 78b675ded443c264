package dev.certwright.api;

/** Patterns shared by request bodies. */
final class Validation {

    /** An owner: 1 to 255 printable characters. */
    static final String OWNER = "[^\\p{Cntrl}]{1,255}";
    /** A tag: letters, digits and . _ : / = -, starting with a letter or digit, at most 64 characters. */
    static final String TAG = "[A-Za-z0-9][A-Za-z0-9._:/=-]{0,63}";
    static final int MAX_TAGS = 32;

    private Validation() {
    }
}
