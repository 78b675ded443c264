package dev.certwright.platform;

import java.time.Duration;

import org.springframework.http.HttpStatus;

/**
 * The root of every module's own exception. A module throws its own unchecked subtype with a type enum (conventions),
 * and each type names its {@link Kind} and its problem type; {@link Refusal} turns that into the answer, once, for the
 * API ({@code ProblemHandling}) and the dashboard alike. ACME keeps its own URNs and handler under {@code /acme}.
 */
public abstract class CertwrightException extends RuntimeException {

    /** What kind of refusal it is, and so the HTTP status a client sees. */
    public enum Kind {
        /** 400: the request itself is unusable. */
        BAD_REQUEST(HttpStatus.BAD_REQUEST),
        /** 401: the caller is not authenticated (ACME's unauthorized JWS). */
        UNAUTHORIZED(HttpStatus.UNAUTHORIZED),
        /** 403: the caller may not do this. */
        FORBIDDEN(HttpStatus.FORBIDDEN),
        /** 404: no such thing. */
        NOT_FOUND(HttpStatus.NOT_FOUND),
        /** 409: the request conflicts with what exists. */
        CONFLICT(HttpStatus.CONFLICT),
        /** 413: the request body is over the limit. */
        CONTENT_TOO_LARGE(HttpStatus.CONTENT_TOO_LARGE),
        /** 422: well-formed, but the profile, the policy or the CA refuses it. */
        UNPROCESSABLE(HttpStatus.UNPROCESSABLE_CONTENT),
        /** 429: too many requests; may carry a retry-after. */
        TOO_MANY_REQUESTS(HttpStatus.TOO_MANY_REQUESTS),
        /** 500: a fault of ours; the client learns nothing more than an incident id. */
        INTERNAL(HttpStatus.INTERNAL_SERVER_ERROR),
        /** 502: a host the request depends on failed. */
        UPSTREAM(HttpStatus.BAD_GATEWAY),
        /** 503: the CA cannot serve the request now. */
        UNAVAILABLE(HttpStatus.SERVICE_UNAVAILABLE);

        private final HttpStatus status;

        Kind(HttpStatus status) {
            this.status = status;
        }

        public HttpStatus status() {
            return status;
        }

        /** The kind answered with this status; INTERNAL for a status no kind has. */
        public static Kind of(HttpStatus status) {
            for (Kind kind : values()) {
                if (kind.status == status) {
                    return kind;
                }
            }
            return INTERNAL;
        }
    }

    private final Kind kind;
    private final String problemType;

    /**
     * @param kind what kind of refusal this is
     * @param problemType the problem type's slug, {@code urn:certwright:problem:<slug>} (RFC 9457 §3.1.1)
     * @param message what went wrong, naming the offending value
     */
    protected CertwrightException(Kind kind, String problemType, String message) {
        super(message);
        this.kind = java.util.Objects.requireNonNull(kind);
        this.problemType = java.util.Objects.requireNonNull(problemType);
    }

    protected CertwrightException(Kind kind, String problemType, String message, Throwable cause) {
        super(message, cause);
        this.kind = java.util.Objects.requireNonNull(kind);
        this.problemType = java.util.Objects.requireNonNull(problemType);
    }

    /** What kind of refusal this is. */
    public Kind kind() {
        return kind;
    }

    /** The problem type's slug: {@code urn:certwright:problem:<slug>} (RFC 9457 §3.1.1). */
    public String problemType() {
        return problemType;
    }

    /** What the client may read: the message, unless it holds internal details (then the log has the message). */
    public String clientDetail() {
        return getMessage();
    }

    /** How long the client should wait before trying again (RFC 9110 §10.2.3), or null. */
    public Duration retryAfter() {
        return null;
    }
}
