package dev.certwright.acme.domain;

import java.util.Arrays;

/** Challenge types: RFC 8555 §8.3 http-01, §8.4 dns-01, RFC 8737 tls-alpn-01. Each value carries its RFC text, which is also the text stored in the database. */
public enum ChallengeType {
    HTTP_01("http-01"),
    DNS_01("dns-01"),
    TLS_ALPN_01("tls-alpn-01");

    private final String text;

    ChallengeType(String text) {
        this.text = text;
    }

    /** The RFC text of this value, as the JSON and the database hold it. */
    public String text() {
        return text;
    }

    /** The value of a text read from the database or a request; IllegalArgumentException when it is none. */
    public static ChallengeType fromText(String text) {
        return Arrays.stream(values()).filter(v -> v.text.equals(text)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("not a ChallengeType: " + text));
    }

    /** The RFC text, so that a value in a message reads as the JSON does. */
    @Override
    public String toString() {
        return text;
    }
}
