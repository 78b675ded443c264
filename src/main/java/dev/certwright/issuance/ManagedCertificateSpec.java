package dev.certwright.issuance;

import java.time.Duration;
import java.util.List;

/** What an operator asks for when creating a managed certificate. */
public record ManagedCertificateSpec(String name, String profile, List<String> dnsNames, List<String> ipAddresses,
        String keyAlgorithm, String owner, List<String> tags, Duration validity, Duration renewBefore, Boolean rekey,
        Boolean revokeSuperseded, String keyMode, List<String> targets) {
}
