package dev.certwright.platform.internal;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/** Describes a JSON binding error in words safe to return: the field path and the kind of problem, no internals. */
final class JsonErrors {

    private JsonErrors() {
    }

    static String describe(Throwable ex) {
        Throwable cause = ex;
        while (cause != null && !(cause instanceof JacksonException)) {
            cause = cause.getCause();
        }
        if (cause instanceof UnrecognizedPropertyException unknown) {
            return "unknown field '" + unknown.getPropertyName() + "'";
        }
        if (cause instanceof JacksonException jackson) {
            String path = jackson.getPath().stream()
                    .map(r -> r.getPropertyName() != null ? r.getPropertyName() : "[" + r.getIndex() + "]")
                    .reduce((a, b) -> b.startsWith("[") ? a + b : a + "." + b).orElse("");
            if (jackson instanceof tools.jackson.databind.exc.MismatchedInputException mismatch && mismatch.getTargetType() != null) {
                Class<?> target = mismatch.getTargetType();
                String expected = target == java.time.Duration.class ? "an ISO-8601 duration such as P30D or PT1H"
                        : target == String.class ? "a string"
                        : java.util.Collection.class.isAssignableFrom(target) ? "a list"
                        : target == Boolean.class || target == boolean.class ? "true or false"
                        : Number.class.isAssignableFrom(target) || target.isPrimitive() ? "a number"
                        : "an object";
                return path.isEmpty() ? "expected " + expected : "field '" + path + "' must be " + expected;
            }
            String what = jackson.getOriginalMessage() == null ? "invalid value" : jackson.getOriginalMessage().lines().findFirst().orElse("");
            // Drop Java type names ("`dev.certwright.api.Foo`"): they describe our code, not the client's input.
            what = what.replaceAll("`[\\w.$\\[\\]<>, ]+`", "value");
            if (what.length() > 200) {
                what = what.substring(0, 200) + "…";
            }
            return path.isEmpty() ? what : "field '" + path + "': " + what;
        }
        return "unreadable body";
    }
}
