package dev.certwright.platform.internal;

import java.net.URI;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import dev.certwright.x509.ChainException;
import dev.certwright.x509.ClientErrorLog;
import dev.certwright.x509.X509Exception;
import dev.certwright.platform.CertwrightException;
import dev.certwright.platform.RateLimitBuckets;
import dev.certwright.platform.Refusal;

/**
 * Turns framework errors into RFC 9457 problem documents, module errors ({@link CertwrightException} and
 * {@code X509Exception}) into the problem {@link Refusal} names for them, and anything unforeseen into a 500 that says
 * nothing of the internals (the log carries the details under an incident id). Under {@code /acme} the ACME module's
 * own advice, ordered before this one, answers with ACME problem types.
 */
@RestControllerAdvice
@Order(Ordered.LOWEST_PRECEDENCE)
class ProblemHandling extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemHandling.class);

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(HttpMessageNotReadableException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        Throwable cause = ex;
        while (cause != null) {
            if (cause instanceof RequestBodyTooLargeException tooLarge) {
                return problem(HttpStatus.CONTENT_TOO_LARGE, "request-too-large", tooLarge.getMessage(), request);
            }
            cause = cause.getCause();
        }
        return problem(HttpStatus.BAD_REQUEST, "malformed-request", "the request body is not valid JSON for this endpoint: "
                + JsonErrors.describe(ex), request);
    }

    /** A multipart upload past {@code spring.servlet.multipart.max-file-size}, which follows certwright.import.max-upload-bytes. */
    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(org.springframework.web.multipart.MaxUploadSizeExceededException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, "import-too-large", "the upload is larger than the server accepts", request);
    }

    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String detail = ex.getBindingResult().getFieldErrors().stream()
                .map(e -> e.getField() + " " + e.getDefaultMessage()).sorted().reduce((a, b) -> a + "; " + b)
                .orElse("the request is invalid");
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", detail, request);
    }

    @Override
    protected ResponseEntity<Object> handleHandlerMethodValidationException(HandlerMethodValidationException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String detail = ex.getAllErrors().stream().map(e -> e.getDefaultMessage()).reduce((a, b) -> a + "; " + b)
                .orElse("the request is invalid");
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", detail, request);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> typeMismatch(MethodArgumentTypeMismatchException ex, WebRequest request) {
        return problem(HttpStatus.BAD_REQUEST, "invalid-request", "parameter '" + ex.getName() + "' has an invalid value", request);
    }

    /** Every module's refusal, from the one table ({@link Refusal}); a fault of ours is answered as one. */
    @ExceptionHandler({CertwrightException.class, X509Exception.class})
    ResponseEntity<Object> refused(RuntimeException ex, WebRequest request) {
        Refusal refusal = Refusal.of(ex).orElse(null);
        if (refusal == null) {
            return unexpected(ex, request);
        }
        if (ex instanceof X509Exception) {
            ClientErrorLog.refused(ex instanceof ChainException ? "chain" : "x509", ex.getMessage());
        } else if (!java.util.Objects.equals(refusal.detail(), ex.getMessage())) {
            log.error("{} answered as '{}'", ex.getClass().getSimpleName(), refusal.detail(), ex); // the client sees the generic detail only
        }
        ResponseEntity<Object> answer = problem(refusal.status(), refusal.problemType(), refusal.detail(), request);
        if (refusal.retryAfter() == null) {
            return answer;
        }
        // RFC 6585 §4, RFC 9110 §10.2.3: say when to come back.
        return ResponseEntity.status(answer.getStatusCode()).headers(answer.getHeaders())
                .header("Retry-After", Long.toString(RateLimitBuckets.retryAfterSeconds(refusal.retryAfter()))).body(answer.getBody());
    }

    @ExceptionHandler({AccessDeniedException.class, AuthenticationException.class})
    void rethrowSecurity(RuntimeException ex) {
        // Spring Security's entry point and access-denied handler answer these.
        throw ex;
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> unexpected(Exception ex, WebRequest request) {
        String incident = UUID.randomUUID().toString();
        log.error("unexpected error, incident {}", incident, ex);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error",
                "an internal error occurred; the server log has incident " + incident, request);
    }

    /** The framework's own problems (404 no resource, 405, 415 …) get an ACME type under /acme too. */
    @Override
    protected ResponseEntity<Object> createResponseEntity(Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (body instanceof ProblemDetail problem && request instanceof ServletWebRequest servlet) {
            Problems.forPath(problem, servlet.getRequest().getRequestURI());
        }
        return super.createResponseEntity(body, headers, statusCode, request);
    }

    private static ResponseEntity<Object> problem(HttpStatus status, String slug, String detail, WebRequest request) {
        ProblemDetail problem = Problems.of(status, slug, detail);
        if (request instanceof ServletWebRequest servlet) {
            problem.setInstance(URI.create(servlet.getRequest().getRequestURI()));
            Problems.forPath(problem, servlet.getRequest().getRequestURI());
        }
        return ResponseEntity.status(status).contentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
