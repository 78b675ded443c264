package dev.certwright.x509;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the bulk import's reader (decision 74), {@link CertificateBundles#stream}: format sniffing, PEM blocks, DER
 * certificates, PKCS#7, PKCS#12 and JKS, zip, tar and gzip with their bounds, entry names and nesting. Small limits, so
 * a bomb among the mutations ends fast. The first byte picks whether keys are kept and a password is given, so both
 * paths are reached. Accepted failures: {@link X509Exception} ({@link CertificateBundles.LimitExceeded} among them:
 * 413 over HTTP); anything else, and any {@link Error}, is a finding (a 500 over HTTP).
 */
class CertificateBundlesFuzzTest {

    static final CertificateBundles.Limits LIMITS = new CertificateBundles.Limits(4L * 1024 * 1024, 64, 256, 100);

    @FuzzTest(maxDuration = "10m")
    void read(byte[] input) {
        boolean keep = input.length > 0 && (input[0] & 1) == 1;
        char[] password = input.length > 0 && (input[0] & 2) == 2 ? "changeit".toCharArray() : null;
        try {
            CertificateBundles.Summary summary = CertificateBundles.stream("fuzz.bin", input, password, LIMITS, keep, found -> found.certificate().getSerialNumber());
            summary.rejected().forEach(r -> r.reason().length());
        } catch (X509Exception expected) {
            // malformed beyond an item, or over a bound
        }
    }
}
