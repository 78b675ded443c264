package dev.certwright.policy;

import java.nio.file.Path;
import java.time.Duration;

import dev.certwright.x509.KeySpec;

/**
 * An issuer as configured. For {@link IssuerSource#GENERATE} a root when {@code parent} is null, else an
 * intermediate signed by its parent; for {@link IssuerSource#IMPORT} the subject and key algorithm are those of the
 * imported certificate; for {@link IssuerSource#EXTERNAL} the subject and key algorithm are what the certificate
 * request asks for.
 *
 * @param subject the configured subject; null for an import that names none (the certificate's is used)
 * @param keyAlgorithm null for an import that names none
 * @param validity null for imported and external issuers, whose certificate says
 * @param pathLength the basic constraints path length (RFC 5280 §4.2.1.9), or null for no limit
 * @param files where an imported issuer's certificate and key are read from; null for the other sources
 */
public record IssuerDefinition(String name, String parent, String subject, KeySpec keyAlgorithm, Duration validity,
        Integer pathLength, IssuerSource source, ImportFiles files) {

    /** A generated issuer, as before sources existed. */
    public IssuerDefinition(String name, String parent, String subject, KeySpec keyAlgorithm, Duration validity, Integer pathLength) {
        this(name, parent, subject, keyAlgorithm, validity, pathLength, IssuerSource.GENERATE, null);
    }

    public IssuerDefinition {
        source = source == null ? IssuerSource.GENERATE : source;
    }

    /** A generated self-signed issuer. */
    public boolean root() {
        return parent == null;
    }

    /**
     * The files of an imported issuer: a PEM certificate chain (the issuer's own certificate first) and a PEM private
     * key, or one PKCS#12 holding both. {@code passphraseEnv} names the environment variable with the passphrase of an
     * encrypted key or of the PKCS#12; the passphrase itself is never in the configuration.
     */
    public record ImportFiles(Path certificate, Path key, Path pkcs12, String passphraseEnv) {
    }
}
