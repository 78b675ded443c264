package dev.certwright.x509;

import java.nio.charset.StandardCharsets;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes PKCS#10 parsing (RFC 2986), the first thing the API, the dashboard and ACME finalize do with a CSR from outside.
 * An input that starts with '-' is read as PEM text, anything else as DER. The only accepted failure is
 * {@link X509Exception}; any other exception, and any {@link Error} such as a StackOverflowError from deeply nested
 * ASN.1, is a finding. Corpus: {@code src/test/resources/dev/certwright/x509/CsrFuzzTestInputs/csr/}.
 */
class CsrFuzzTest {

    @FuzzTest(maxDuration = "10m")
    void csr(byte[] input) {
        try {
            CsrView view = input.length > 0 && input[0] == '-'
                    ? CsrView.parsePem(new String(input, StandardCharsets.ISO_8859_1))
                    : CsrView.parseDer(input);
            // What the callers read next must not throw either.
            view.allNames();
            view.publicKey().getAlgorithm();
        } catch (X509Exception expected) {
            // the x509 module's one declared failure
        }
    }
}
