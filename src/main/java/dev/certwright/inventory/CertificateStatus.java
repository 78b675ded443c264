package dev.certwright.inventory;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * A certificate row's lifecycle. PENDING: serial reserved, not signed yet. ISSUED: signed and stored (or imported).
 * FAILED: signing did not complete; the serial stays reserved forever. REVOKED: revoked.
 * EXPIRED is not stored: it is an ISSUED certificate past its notAfter (see {@link Effective}).
 */
public enum CertificateStatus {
    PENDING, ISSUED, FAILED, REVOKED;

    /**
     * A status as a person reads and filters by it: a stored one, or EXPIRED, an ISSUED certificate past its notAfter
     * (never stored). Declared in the order the dashboard offers them.
     */
    public enum Effective {
        ISSUED, EXPIRED, REVOKED, PENDING, FAILED;

        /** The status this text names, in any case; empty when it names none. */
        public static Optional<Effective> parse(String text) {
            String name = text.toUpperCase(Locale.ROOT);
            return Arrays.stream(values()).filter(s -> s.name().equals(name)).findFirst();
        }
    }
}
