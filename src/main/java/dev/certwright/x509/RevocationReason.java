package dev.certwright.x509;

import java.util.Arrays;
import java.util.Optional;

/**
 * The reasons a certificate is revoked, RFC 5280 §5.3.1 CRLReason, by the names the RFC gives them. Code 7 is unused
 * by the RFC; removeFromCRL (8) is not a reason to revoke but the mark a delta CRL puts on a released hold.
 */
public enum RevocationReason {
    unspecified(0),
    keyCompromise(1),
    cACompromise(2),
    affiliationChanged(3),
    superseded(4),
    cessationOfOperation(5),
    certificateHold(6),
    removeFromCRL(8),
    privilegeWithdrawn(9),
    aACompromise(10);

    private final int code;

    RevocationReason(int code) {
        this.code = code;
    }

    /** The CRLReason code. */
    public int code() {
        return code;
    }

    /** The reason with this RFC name (exact case), if any. removeFromCRL is not a reason one revokes for. */
    public static Optional<RevocationReason> forRevoking(String name) {
        return Arrays.stream(values()).filter(r -> r != removeFromCRL && r.name().equals(name)).findFirst();
    }

    /** The reason with this CRLReason code, if any. */
    public static Optional<RevocationReason> fromCode(int code) {
        return Arrays.stream(values()).filter(r -> r.code == code).findFirst();
    }

    /** The names a caller may revoke with, for error messages. */
    public static String revokingNames() {
        return String.join(", ", Arrays.stream(values()).filter(r -> r != removeFromCRL).map(Enum::name).toList());
    }
}
