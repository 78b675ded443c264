package dev.certwright.delivery;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A caller authenticated as a service asked for a bundle outside its scope: 403. */
class BundleAccessDenied extends RuntimeException {

    BundleAccessDenied(String message) {
        super(message);
    }

    @RestControllerAdvice(assignableTypes = BundleController.class)
    static class Handler {

        @ExceptionHandler(BundleAccessDenied.class)
        ProblemDetail denied(BundleAccessDenied e) {
            return dev.certwright.platform.Problems.of(HttpStatus.FORBIDDEN, "forbidden", e.getMessage());
        }
    }
}
