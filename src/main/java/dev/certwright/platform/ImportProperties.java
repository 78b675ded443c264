package dev.certwright.platform;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import dev.certwright.x509.CertificateBundles;

/**
 * The bulk import's bounds, under {@code certwright.import.*} (decision 74). {@code max-upload-bytes} is the upload as
 * sent: the request-size filter lets {@code POST /api/v1/imports} and the dashboard's import form carry that much, and
 * Spring's multipart limits ({@code spring.servlet.multipart.max-file-size} and {@code max-request-size}) are set from
 * it in application.properties, so one number decides; past it the answer is 413 problem+json.
 *
 * @param maxUploadBytes the largest upload accepted as sent
 * @param maxBytes the most it may expand to, every archive entry counted
 * @param maxEntries archive entries per upload
 * @param maxCertificates certificates per upload
 * @param maxExpansionRatio how many times its size an upload may expand to (compression bombs)
 */
@Validated
@ConfigurationProperties("certwright.import")
public record ImportProperties(
        @DefaultValue("256MB") DataSize maxUploadBytes,
        @DefaultValue("256MB") DataSize maxBytes,
        @DefaultValue("10000") int maxEntries,
        @DefaultValue("200000") int maxCertificates,
        @DefaultValue("100") int maxExpansionRatio) {

    public ImportProperties {
        check(maxUploadBytes.toBytes() >= 1024 && maxUploadBytes.toBytes() <= Integer.MAX_VALUE - 1024 * 1024,
                "certwright.import.max-upload-bytes must be from 1KB to 2047MB, not " + maxUploadBytes);
        check(maxBytes.toBytes() >= maxUploadBytes.toBytes(), "certwright.import.max-bytes must be at least certwright.import.max-upload-bytes, not " + maxBytes);
        check(maxEntries >= 1, "certwright.import.max-entries must be at least 1, not " + maxEntries);
        check(maxCertificates >= 1, "certwright.import.max-certificates must be at least 1, not " + maxCertificates);
        check(maxExpansionRatio >= 2, "certwright.import.max-expansion-ratio must be at least 2, not " + maxExpansionRatio);
    }

    private static void check(boolean ok, String sentence) {
        if (!ok) {
            throw new StartupException(sentence);
        }
    }

    /** The bounds as the parser takes them. */
    public CertificateBundles.Limits limits() {
        return new CertificateBundles.Limits(maxBytes.toBytes(), maxEntries, maxCertificates, maxExpansionRatio);
    }
}
