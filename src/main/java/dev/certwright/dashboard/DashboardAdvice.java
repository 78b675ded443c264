package dev.certwright.dashboard;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.Authentication;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.servlet.ModelAndView;

import dev.certwright.platform.CertwrightException;
import dev.certwright.platform.Refusal;
import dev.certwright.x509.X509Exception;

/**
 * For every dashboard page: who is signed in and what their role allows (to show only the actions it allows; the
 * server checks again), and module errors shown as a page with a clear message and the right status, never a 500.
 */
@ControllerAdvice(basePackageClasses = DashboardAdvice.class)
class DashboardAdvice {

    private static final Logger log = LoggerFactory.getLogger(DashboardAdvice.class);

    /** The signed-in user, as the templates use it. */
    record Me(String name, String role, boolean operator, boolean admin) {
    }

    @ModelAttribute("me")
    Me me(Authentication authentication) {
        if (authentication == null) {
            return null;
        }
        boolean admin = authentication.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_ADMIN"));
        boolean operator = admin || authentication.getAuthorities().stream().anyMatch(a -> a.getAuthority().equals("ROLE_OPERATOR"));
        return new Me(authentication.getName(), admin ? "ADMIN" : operator ? "OPERATOR" : "VIEWER", operator, admin);
    }

    /** A page asked for something that does not exist. */
    static class NotFound extends CertwrightException {

        NotFound(String message) {
            super(Kind.NOT_FOUND, "not-found", message);
        }
    }

    /**
     * A form or path value of the wrong type ("abc" for a number): Spring's message names Java types, and the generic
     * handler below would show it because its cause is an IllegalArgumentException. Found by the bad-input corpus.
     */
    @ExceptionHandler(org.springframework.beans.TypeMismatchException.class)
    ModelAndView typeMismatch(org.springframework.beans.TypeMismatchException e) {
        String name = e instanceof org.springframework.web.method.annotation.MethodArgumentTypeMismatchException m ? m.getName() : e.getPropertyName();
        return error(HttpStatus.BAD_REQUEST, "'" + name + "' has an invalid value");
    }

    /**
     * Module errors with the status and detail the API answers them with (the one table, {@link Refusal}); a form value
     * a page rejects itself (IllegalArgumentException) is a 400. A fault of ours is a 500 page that says nothing more.
     */
    @ExceptionHandler({CertwrightException.class, X509Exception.class, IllegalArgumentException.class})
    ModelAndView refused(RuntimeException e) {
        Refusal refusal = Refusal.of(e).orElse(null);
        if (refusal == null && e instanceof CertwrightException) {
            log.error("dashboard request failed", e);
            return error(HttpStatus.INTERNAL_SERVER_ERROR, "an internal error occurred; the server log has the details");
        }
        HttpStatus status = refusal == null ? HttpStatus.BAD_REQUEST : refusal.status();
        String message = refusal == null ? e.getMessage() : refusal.detail();
        if (refusal != null && !java.util.Objects.equals(message, e.getMessage())) {
            log.error("dashboard request refused as '{}'", message, e); // the page shows the generic detail only
        } else {
            log.debug("dashboard request refused: {}", e.getMessage());
        }
        return error(status, message);
    }

    private static ModelAndView error(HttpStatus status, String message) {
        ModelAndView page = new ModelAndView("error-page");
        page.setStatus(status);
        page.addObject("status", status.value());
        page.addObject("message", message);
        return page;
    }

    static void flash(Model model, String message) {
        model.addAttribute("flash", message);
    }
}
