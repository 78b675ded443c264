package dev.certwright.revocation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.WebRequest;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.platform.DataDirectory;
import dev.certwright.revocation.CrlStore.Kind;
import dev.certwright.revocation.CrlStore.Published;

/**
 * Serves the CRLs over plain HTTP (RFC 5280 §4.2.1.13 expects an http URI), DER as {@code application/pkix-crl}
 * (RFC 2585 §4.2). Every node copies the newest published CRL from the database into a local file once and streams it
 * from there, with the headers a cache in front needs: ETag (issuer and CRL number), Last-Modified (thisUpdate) and
 * max-age up to nextUpdate.
 */
@RestController
class CrlController {

    static final MediaType PKIX_CRL = MediaType.parseMediaType("application/pkix-crl");
    private static final String DELTA_SUFFIX = "-delta";

    private final CertificateAuthority ca;
    private final CrlStore store;
    private final Path cacheDir;
    private final Clock clock;

    CrlController(CertificateAuthority ca, CrlStore store, DataDirectory dataDirectory, Clock clock) {
        this.ca = ca;
        this.store = store;
        this.cacheDir = dataDirectory.resolve("crl-cache");
        this.clock = clock;
    }

    @GetMapping("/crl/{name}.crl")
    ResponseEntity<Resource> crl(@PathVariable String name, WebRequest request) {
        String issuer = name;
        Kind kind = Kind.FULL;
        if (!isIssuer(name) && name.endsWith(DELTA_SUFFIX) && isIssuer(name.substring(0, name.length() - DELTA_SUFFIX.length()))) {
            issuer = name.substring(0, name.length() - DELTA_SUFFIX.length());
            kind = Kind.DELTA;
        }
        ca.issuer(issuer); // UNKNOWN_ISSUER: 404
        Optional<Published> latest = store.latest(issuer, kind);
        if (latest.isEmpty()) {
            return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5").build();
        }
        Published crl = latest.get();
        String etag = "\"" + issuer + "-" + crl.number() + "\"";
        if (request.checkNotModified(etag, crl.thisUpdate().toEpochMilli())) {
            return null; // 304, headers written by checkNotModified
        }
        Path file = cached(crl);
        Instant now = clock.instant();
        long maxAge = Math.max(0, Duration.between(now, crl.nextUpdate()).toSeconds());
        HttpHeaders headers = new HttpHeaders();
        headers.setExpires(crl.nextUpdate().toEpochMilli());
        return ResponseEntity.ok().contentType(PKIX_CRL).eTag(etag).lastModified(crl.thisUpdate())
                .cacheControl(CacheControl.maxAge(maxAge, TimeUnit.SECONDS).cachePublic().noTransform())
                .headers(headers)
                .contentLength(crl.sizeBytes())
                .body(new FileSystemResource(file));
    }

    private boolean isIssuer(String name) {
        return ca.issuers().stream().anyMatch(issuer -> issuer.name().equals(name));
    }

    /** The node-local copy of a published CRL, fetched from the database on first use; older copies are removed. */
    private Path cached(Published crl) {
        String prefix = crl.issuer() + "." + crl.kind().name().toLowerCase(java.util.Locale.ROOT) + ".";
        Path file = cacheDir.resolve(prefix + crl.number() + ".crl");
        if (Files.exists(file)) {
            return file;
        }
        try {
            Files.createDirectories(cacheDir);
            store.copyTo(crl.issuer(), crl.number(), file);
            try (var old = Files.newDirectoryStream(cacheDir, prefix + "*.crl")) {
                for (Path p : old) {
                    if (!p.equals(file)) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache CRL " + crl.number() + " of " + crl.issuer(), e);
        }
        return file;
    }
}
