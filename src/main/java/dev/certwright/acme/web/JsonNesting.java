package dev.certwright.acme.web;

/**
 * A pre-check of JSON nesting (RFC 8259 §9 lets a parser limit it) for the three JSON texts of an ACME request: the
 * flattened JWS body, its protected header and its payload. Jackson stops at its own limit, but Nimbus parses the
 * header with its own JSON parser; this walk is iterative and runs before either, so that no parser sees deep input.
 */
final class JsonNesting {

    /** Deepest nesting accepted: ACME's deepest real text (newOrder's identifiers) is three levels deep. */
    static final int MAX_DEPTH = 16;

    private JsonNesting() {
    }

    /** Throws malformed when {@code text} opens more than {@link #MAX_DEPTH} objects or arrays inside each other. */
    static void check(String text, String what) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new AcmeException(AcmeProblem.malformed, what + " is nested deeper than " + MAX_DEPTH + " levels");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }
}
