package dev.certwright.acme.domain;

/** RFC 8555 §9.7.7 identifier: type {@code dns}, or {@code ip} (RFC 8738), and its value. */
public record Identifier(String type, String value) {

    public static final String DNS = "dns";
    public static final String IP = "ip";

    /** The form stored in a row: {@code type:value}. */
    public String line() {
        return type + ":" + value;
    }

    public static Identifier parse(String line) {
        int colon = line.indexOf(':');
        return new Identifier(line.substring(0, colon), line.substring(colon + 1));
    }
}
