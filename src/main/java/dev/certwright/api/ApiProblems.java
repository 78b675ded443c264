package dev.certwright.api;

import java.net.URI;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.certwright.ca.CaException;
import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.platform.Problems;
import dev.certwright.deploy.DeployException;
import dev.certwright.policy.PolicyException;
import dev.certwright.x509.ChainException;
import dev.certwright.x509.ClientErrorLog;
import dev.certwright.x509.X509Exception;
import jakarta.servlet.http.HttpServletRequest;

/** Maps each module's errors to a problem document with a status a client can act on. */
@RestControllerAdvice(annotations = org.springframework.web.bind.annotation.RestController.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ApiProblems {

    private static final Logger log = LoggerFactory.getLogger(ApiProblems.class);

    @ExceptionHandler(PolicyException.class)
    ResponseEntity<ProblemDetail> policy(PolicyException e, HttpServletRequest request) {
        String slug = switch (e.type()) {
            case UNKNOWN_PROFILE -> "unknown-profile";
            case REJECTED_IDENTIFIER -> "rejected-identifier";
            case BAD_KEY -> "bad-key";
            case BAD_VALIDITY -> "bad-validity";
            case BAD_REQUEST -> "invalid-request";
        };
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, slug, e.getMessage(), request);
    }

    /** Certificates that parse but form no chain (a loop, a non-CA issuer, a bad signature, too long): RFC 9110 §15.5.21. */
    @ExceptionHandler(ChainException.class)
    ResponseEntity<ProblemDetail> chain(ChainException e, HttpServletRequest request) {
        ClientErrorLog.refused("chain", e.getMessage());
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, "broken-chain", e.getMessage(), request);
    }

    @ExceptionHandler(X509Exception.class)
    ResponseEntity<ProblemDetail> x509(X509Exception e, HttpServletRequest request) {
        ClientErrorLog.refused("x509", e.getMessage());
        return problem(HttpStatus.BAD_REQUEST, "malformed-certificate-data", e.getMessage(), request);
    }

    @ExceptionHandler(InventoryException.class)
    ResponseEntity<ProblemDetail> inventory(InventoryException e, HttpServletRequest request) {
        return switch (e.type()) {
            case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "not-found", e.getMessage(), request);
            case DUPLICATE -> problem(HttpStatus.CONFLICT, "duplicate", e.getMessage(), request);
            case AMBIGUOUS -> problem(HttpStatus.CONFLICT, "ambiguous-serial", e.getMessage(), request);
        };
    }

    @ExceptionHandler(IssuanceException.class)
    ResponseEntity<ProblemDetail> issuance(IssuanceException e, HttpServletRequest request) {
        return switch (e.type()) {
            case BAD_REQUEST -> problem(HttpStatus.BAD_REQUEST, "invalid-request", e.getMessage(), request);
            case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "not-found", e.getMessage(), request);
            case CA_REFUSED -> problem(HttpStatus.UNPROCESSABLE_CONTENT, "ca-refused", e.getMessage(), request);
            case SIGNING_FAILED -> problem(HttpStatus.SERVICE_UNAVAILABLE, "signing-failed", e.getMessage(), request);
            case CONFLICT -> problem(HttpStatus.CONFLICT, "conflict", e.getMessage(), request);
            case UPSTREAM -> problem(HttpStatus.BAD_GATEWAY, "target-failed", e.getMessage(), request);
            case FORBIDDEN -> problem(HttpStatus.FORBIDDEN, "forbidden", e.getMessage(), request);
        };
    }

    @ExceptionHandler(DeployException.class)
    ResponseEntity<ProblemDetail> deploy(DeployException e, HttpServletRequest request) {
        return switch (e.type()) {
            case BAD_REQUEST -> problem(HttpStatus.BAD_REQUEST, "invalid-request", e.getMessage(), request);
            case NOT_FOUND -> problem(HttpStatus.NOT_FOUND, "not-found", e.getMessage(), request);
            case CONFLICT -> problem(HttpStatus.CONFLICT, "conflict", e.getMessage(), request);
        };
    }

    @ExceptionHandler(IssuanceLimit.Exceeded.class)
    ResponseEntity<ProblemDetail> rateLimited(IssuanceLimit.Exceeded e, HttpServletRequest request) {
        ResponseEntity<ProblemDetail> problem = problem(HttpStatus.TOO_MANY_REQUESTS, "rate-limited", e.getMessage(), request);
        // RFC 6585 §4: say when to come back.
        return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders())
                .header("Retry-After", Long.toString(dev.certwright.platform.RateLimitBuckets.retryAfterSeconds(e.retryAfter())))
                .body(problem.getBody());
    }

    @ExceptionHandler(CaException.class)
    ResponseEntity<ProblemDetail> ca(CaException e, HttpServletRequest request) {
        if (e.type() == CaException.Type.UNKNOWN_ISSUER) {
            return problem(HttpStatus.NOT_FOUND, "unknown-issuer", e.getMessage(), request);
        }
        log.error("CA error", e);
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "ca-unavailable", "the CA cannot serve this request now", request);
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, String slug, String detail, HttpServletRequest request) {
        ProblemDetail problem = Problems.of(status, slug, detail);
        problem.setInstance(URI.create(request.getRequestURI()));
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
