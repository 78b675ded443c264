package dev.certwright.inventory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A managed certificate: a named slot whose key Certwright generates and holds, with its spec and its current
 * instance.
 *
 * @param validity requested validity, or null for the profile's default
 * @param renewBefore renew when less than this is left, or null for the profile's rule
 * @param rekey whether a renewal generates a new key
 * @param revokeSuperseded whether a replaced instance is revoked (superseded) once its successor is in place
 * @param keyMode {@link KeyMode#MANAGED} (Certwright makes and holds the key) or {@link KeyMode#ON_HOST} (the single
 *        target makes it with openssl; Certwright never sees it)
 */
public record ManagedCertificate(long id, String name, String profile, List<String> dnsNames, List<String> ipAddresses,
        String keyAlgorithm, String owner, List<String> tags, Duration validity, Duration renewBefore, boolean rekey,
        boolean revokeSuperseded, KeyMode keyMode, List<String> targets, Long currentCertificateId, String createdBy, Instant createdAt) {

    /** Whether the key lives on the target only. */
    public boolean keyOnHost() {
        return keyMode == KeyMode.ON_HOST;
    }
}
