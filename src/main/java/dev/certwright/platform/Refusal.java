package dev.certwright.platform;

import java.time.Duration;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

import dev.certwright.x509.CertificateBundles;
import dev.certwright.x509.ChainException;
import dev.certwright.x509.X509Exception;
import dev.certwright.platform.internal.Problems;

/**
 * The one table from an exception to the answer a client gets: the API renders it as an RFC 9457 problem document
 * ({@code ProblemHandling}), the dashboard as an error page with the same status and title.
 *
 * <p>{@link X509Exception} is the one module error that is not a {@link CertwrightException}: x509 sits below platform
 * (platform depends on it, for client certificates), so it cannot extend a platform type; it is mapped here by name.
 *
 * @param kind the kind of refusal, and so the status
 * @param problemType the slug of {@code urn:certwright:problem:<slug>}
 * @param detail what the client may read
 * @param retryAfter how long to wait before trying again, or null
 */
public record Refusal(CertwrightException.Kind kind, String problemType, String detail, Duration retryAfter) {

    /**
     * The refusal for a client's error, or empty for anything else (a fault of ours, {@link CertwrightException.Kind#INTERNAL},
     * or an exception no module raised on purpose): those are answered as internal errors, without details.
     */
    public static Optional<Refusal> of(Throwable e) {
        return Optional.ofNullable(switch (e) {
            case CertwrightException c when c.kind() == CertwrightException.Kind.INTERNAL -> null;
            case CertwrightException c -> new Refusal(c.kind(), c.problemType(), c.clientDetail(), c.retryAfter());
            // Certificates that parse but form no chain (a loop, a non-CA issuer, a bad signature, too long): RFC 9110 §15.5.21.
            case ChainException c -> new Refusal(CertwrightException.Kind.UNPROCESSABLE, "broken-chain", c.getMessage(), null);
            // An upload over the bulk import's bounds (bytes after decompression, entries, certificates): RFC 9110 §15.5.14.
            case CertificateBundles.LimitExceeded l -> new Refusal(CertwrightException.Kind.CONTENT_TOO_LARGE, "import-too-large", l.getMessage(), null);
            case X509Exception x -> new Refusal(CertwrightException.Kind.BAD_REQUEST, "malformed-certificate-data", x.getMessage(), null);
            default -> null;
        });
    }

    public HttpStatus status() {
        return kind.status();
    }

    /** The problem's title: the status's reason phrase. */
    public String title() {
        return status().getReasonPhrase();
    }

    /** The problem document, without {@code instance} (the handler adds the request's path). */
    public ProblemDetail problem() {
        return Problems.of(status(), problemType, detail);
    }
}
