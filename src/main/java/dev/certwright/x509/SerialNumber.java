package dev.certwright.x509;

import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * A certificate serial number. We issue 16 random bytes, positive (RFC 5280 §4.1.2.2 caps serials at
 * 20 octets and requires them positive; CA/B BR §7.1 asks for at least 64 bits of randomness).
 * Written as lowercase hex without separators; parsed case-insensitively, colons optional.
 */
public record SerialNumber(BigInteger value) implements Comparable<SerialNumber> {

    private static final Pattern HEX = Pattern.compile("[0-9a-fA-F]{1,40}");

    public SerialNumber {
        if (value == null || value.signum() < 0 || value.bitLength() > 160) {
            throw new X509Exception("a serial number must be a positive integer of at most 20 octets");
        }
    }

    /** Draws a fresh serial: 16 random bytes, top bit cleared so that the DER integer stays 16 octets and positive. */
    public static SerialNumber random(SecureRandom random) {
        byte[] bytes = new byte[16];
        BigInteger value;
        do {
            random.nextBytes(bytes);
            bytes[0] &= 0x7F;
            value = new BigInteger(1, bytes);
        } while (value.signum() == 0);
        return new SerialNumber(value);
    }

    /** Parses hex, case-insensitively, with or without colons ("0a:1b" or "0A1B"). */
    public static SerialNumber parse(String text) {
        String hex = text == null ? "" : text.replace(":", "").trim();
        if (!HEX.matcher(hex).matches()) {
            throw new X509Exception("a serial number is hex digits, optionally separated by colons");
        }
        return new SerialNumber(new BigInteger(hex, 16));
    }

    /** Lowercase hex, even length, without separators: the form stored and shown everywhere. */
    public String hex() {
        String hex = value.toString(16);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    /** Colon-separated uppercase hex, as openssl prints it. */
    public String colonHex() {
        byte[] bytes = HexFormat.of().parseHex(hex());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(bytes);
    }

    @Override
    public int compareTo(SerialNumber other) {
        return value.compareTo(other.value);
    }

    @Override
    public String toString() {
        return hex();
    }
}
