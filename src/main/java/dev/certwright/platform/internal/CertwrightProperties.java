package dev.certwright.platform.internal;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Certwright's own settings, under {@code certwright.*}.
 *
 * @param httpPort plain-HTTP port for CRLs, OCSP and CA certificates (0 picks a free port)
 * @param dataDir where all local state lives: the H2 database, generated secrets
 * @param publicHttpUrl base URL written into CDP and AIA extensions; defaults to http://localhost:{httpPort}
 * @param maxRequestBytes the largest request body accepted; larger bodies get 413
 */
@Validated
@ConfigurationProperties("certwright")
public record CertwrightProperties(
        @DefaultValue("8080") @Min(0) @Max(65535) int httpPort,
        @DefaultValue("./data") @NotNull Path dataDir,
        String publicHttpUrl,
        @DefaultValue("262144") @Min(1024) @Max(16777216) int maxRequestBytes) {
}
