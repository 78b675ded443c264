package dev.certwright.keys;

import java.util.Collection;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identifiers of key-encryption keys: {@code kek-1}, the one every CA is created with, then {@code kek-2},
 * {@code kek-3}, ... one per rotation. The highest number is the KEK new wraps use, so that any node that holds the
 * keystore's KEKs agrees on it without being told (decision 68).
 */
public final class KekIds {

    /** The first KEK: made with the CA, and the root of the derived secrets (decision 68). */
    public static final String FIRST = "kek-1";

    // No leading zero, so that one number has one name; nine digits, so that it fits an int with room for the next.
    private static final Pattern ID = Pattern.compile("kek-([1-9][0-9]{0,8})");

    private KekIds() {
    }

    /** The number of a KEK id, or empty when the text is not one (another secret-key entry of the keystore). */
    public static Optional<Integer> number(String id) {
        Matcher m = id == null ? null : ID.matcher(id);
        return m != null && m.matches() ? Optional.of(Integer.parseInt(m.group(1))) : Optional.empty();
    }

    /** The newest of these ids (the highest number), ignoring anything that is not a KEK id. */
    public static Optional<String> newest(Collection<String> ids) {
        return ids.stream().filter(id -> number(id).isPresent()).max(java.util.Comparator.comparing(id -> number(id).orElseThrow()));
    }

    /** The id a rotation gives its new KEK: one above the newest, or {@link #FIRST} when there is none. */
    public static String next(Collection<String> ids) {
        return newest(ids).map(id -> "kek-" + (number(id).orElseThrow() + 1)).orElse(FIRST);
    }
}
