package dev.certwright.delivery;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** A caller authenticated as a service asked for a bundle outside its scope: 403. */
class BundleAccessDenied extends RuntimeException {

    BundleAccessDenied(String message) {
        super(message);
    }

    /** Applies wherever the bundle controller lives (it is in {@code api}); only {@link BundleDelivery} throws this. */
    @RestControllerAdvice
    @Order(Ordered.HIGHEST_PRECEDENCE)
    static class Handler {

        @ExceptionHandler(BundleAccessDenied.class)
        ProblemDetail denied(BundleAccessDenied e) {
            return dev.certwright.platform.Problems.of(HttpStatus.FORBIDDEN, "forbidden", e.getMessage());
        }
    }
}
