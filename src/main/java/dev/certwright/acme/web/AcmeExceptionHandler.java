package dev.certwright.acme.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingPathVariableException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/**
 * Every error under {@code /acme} is a problem document with an {@code urn:ietf:params:acme:error:*} type (RFC 8555
 * §6.7), never a bare 500: what a client sent wrong is malformed, and only a fault of ours is serverInternal.
 */
@RestControllerAdvice(basePackages = "dev.certwright.acme")
@Order(Ordered.HIGHEST_PRECEDENCE)
class AcmeExceptionHandler {

    static final MediaType PROBLEM = MediaType.APPLICATION_PROBLEM_JSON;
    private static final Logger log = LoggerFactory.getLogger(AcmeExceptionHandler.class);

    @ExceptionHandler(AcmeException.class)
    ResponseEntity<Map<String, Object>> acme(AcmeException e) {
        ResponseEntity<Map<String, Object>> response = problem(e.problem(), e.getMessage(), e.extra());
        if (e.retryAfter() == null) {
            return response;
        }
        return ResponseEntity.status(response.getStatusCode()).contentType(PROBLEM)
                .header("Retry-After", Long.toString(Math.max(1, e.retryAfter().toSeconds()))).body(response.getBody());
    }

    @ExceptionHandler({HttpMessageNotReadableException.class, HttpMediaTypeNotSupportedException.class})
    ResponseEntity<Map<String, Object>> unreadable(Exception e) {
        return problem(AcmeProblem.malformed, "the request body is missing or is not a JWS of Content-Type application/jose+json", Map.of());
    }

    /**
     * A path id that is not a number ({@code /acme/order/abc}): no such resource can exist, and the client sent a URL
     * we never gave out, so it is malformed (RFC 8555 §6.7), not a fault of ours.
     */
    @ExceptionHandler({TypeMismatchException.class, MissingPathVariableException.class})
    ResponseEntity<Map<String, Object>> badPath(Exception e) {
        return problem(AcmeProblem.malformed, "the URL does not name an ACME resource", Map.of());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Map<String, Object>> unexpected(Exception e) {
        log.error("ACME request failed", e);
        return problem(AcmeProblem.serverInternal, "the server failed to process the request", Map.of());
    }

    static ResponseEntity<Map<String, Object>> problem(AcmeProblem problem, String detail, Map<String, Object> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.urn());
        body.put("detail", detail);
        body.put("status", problem.status().value());
        body.putAll(extra);
        return ResponseEntity.status(problem.status()).contentType(PROBLEM).body(body);
    }

}
