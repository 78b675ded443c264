package dev.certwright.x509;

/**
 * A pre-check of BER/DER structure (ITU-T X.690 §8.1) that every parse of outside ASN.1 passes before Bouncy Castle
 * or the JDK sees it: the input must be one well-formed TLV element, no larger than the caller's limit, nested no
 * deeper than {@link #MAX_DEPTH}. Both parsers recurse once per nesting level, so ~1 KB of nested indefinite-length
 * SEQUENCEs ({@code 30 80 30 80 …}) overflowed the stack before; this check walks the structure with a bounded
 * recursion of its own and refuses such input with an {@link X509Exception}, whose message is safe to show a client.
 * <p>
 * OCTET STRING and BIT STRING contents that are themselves ASN.1 (extension values, public keys) are parsed later by
 * the same libraries, so their nesting counts too: when such content starts like an element, its depth is measured,
 * and deep nesting there is refused even when the content is not well-formed.
 */
public final class Asn1Limits {

    /**
     * Deepest nesting accepted. Real structures stay far below it: a CSR's SAN directoryName, the deepest we know, is
     * about 13 levels down, a certificate's policy qualifiers about 14.
     */
    public static final int MAX_DEPTH = 32;

    private Asn1Limits() {
    }

    /** Checks {@code der} with the default depth; throws {@link X509Exception} naming what is wrong. */
    public static void check(byte[] der, int maxBytes) {
        check(der, maxBytes, MAX_DEPTH);
    }

    /** Checks that {@code der} is one ASN.1 element of at most {@code maxBytes} bytes nested at most {@code maxDepth} deep. */
    public static void check(byte[] der, int maxBytes, int maxDepth) {
        if (der == null || der.length == 0) {
            throw new X509Exception("the ASN.1 input is empty");
        }
        if (der.length > maxBytes) {
            throw new X509Exception("the ASN.1 input is larger than " + maxBytes + " bytes");
        }
        int end;
        try {
            end = element(der, 0, der.length, 1, maxDepth);
        } catch (Malformed e) {
            throw new X509Exception("the ASN.1 input is malformed: " + e.getMessage());
        }
        if (end != der.length) {
            throw new X509Exception("the ASN.1 input has " + (der.length - end) + " bytes after its end");
        }
    }

    /** Structure that does not parse: an error inside encapsulated content makes that content opaque, not the input bad. */
    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Walks one element at {@code pos} that must end by {@code limit}; returns its end. The recursion is one frame per
     * level and stops at {@code maxDepth}, so this check cannot overflow the stack itself.
     */
    private static int element(byte[] b, int pos, int limit, int depth, int maxDepth) throws Malformed {
        if (depth > maxDepth) {
            throw new X509Exception("the ASN.1 input is nested deeper than " + maxDepth + " levels");
        }
        if (pos >= limit) {
            throw new Malformed("truncated at byte " + pos);
        }
        int identifier = b[pos++] & 0xff;
        boolean constructed = (identifier & 0x20) != 0;
        int tagNumber = identifier & 0x1f;
        if (tagNumber == 0x1f) {
            // X.690 §8.1.2.4: high tag numbers, base 128; more than four octets is no tag anyone uses.
            int octets = 0;
            tagNumber = 0;
            int next;
            do {
                if (pos >= limit || ++octets > 4) {
                    throw new Malformed("bad tag at byte " + pos);
                }
                next = b[pos++] & 0xff;
                tagNumber = (tagNumber << 7) | (next & 0x7f);
            } while ((next & 0x80) != 0);
        }
        if (pos >= limit) {
            throw new Malformed("truncated length at byte " + pos);
        }
        int first = b[pos++] & 0xff;
        if (first == 0x80) {
            // X.690 §8.1.3.6: indefinite length, constructed only, ended by two zero octets.
            if (!constructed) {
                throw new Malformed("indefinite length on a primitive element at byte " + (pos - 1));
            }
            while (true) {
                if (pos + 1 < limit && b[pos] == 0 && b[pos + 1] == 0) {
                    return pos + 2;
                }
                pos = element(b, pos, limit, depth + 1, maxDepth);
            }
        }
        long length;
        if ((first & 0x80) == 0) {
            length = first;
        } else {
            int count = first & 0x7f;
            if (count > 4 || count == 0x7f) {
                throw new Malformed("length of " + count + " octets at byte " + (pos - 1));
            }
            length = 0;
            for (int i = 0; i < count; i++) {
                if (pos >= limit) {
                    throw new Malformed("truncated length at byte " + pos);
                }
                length = (length << 8) | (b[pos++] & 0xff);
            }
        }
        if (length > limit - pos) {
            throw new Malformed("length " + length + " runs past the end at byte " + pos);
        }
        int end = pos + (int) length;
        if (constructed) {
            while (pos < end) {
                pos = element(b, pos, end, depth + 1, maxDepth);
            }
            return end;
        }
        boolean universal = (identifier & 0xc0) == 0;
        if (universal && (tagNumber == 4 || tagNumber == 3)) {
            // OCTET STRING, or BIT STRING after its unused-bits octet: may hold ASN.1 that is parsed later.
            int start = tagNumber == 3 ? pos + 1 : pos;
            if (start < end && looksLikeElement(b[start])) {
                try {
                    element(b, start, end, depth + 1, maxDepth);
                } catch (Malformed e) {
                    // not ASN.1 after all: opaque bytes (a nonce, an RSA signature)
                }
            }
        }
        return end;
    }

    /** A first octet that could start a SEQUENCE, SET or a context-specific or constructed element. */
    private static boolean looksLikeElement(byte first) {
        return (first & 0x20) != 0;
    }
}
