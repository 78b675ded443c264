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

import dev.certwright.deploy.DeployException;
import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.policy.PolicyException;
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
    static class NotFound extends RuntimeException {

        NotFound(String message) {
            super(message);
        }
    }

    @ExceptionHandler(NotFound.class)
    ModelAndView notFound(NotFound e) {
        return error(HttpStatus.NOT_FOUND, e.getMessage());
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

    @ExceptionHandler({IssuanceException.class, InventoryException.class, DeployException.class, PolicyException.class, X509Exception.class,
            IllegalArgumentException.class})
    ModelAndView refused(RuntimeException e) {
        HttpStatus status = switch (e) {
            case IssuanceException i when i.type() == IssuanceException.Type.NOT_FOUND -> HttpStatus.NOT_FOUND;
            case InventoryException i when i.type() == InventoryException.Type.NOT_FOUND -> HttpStatus.NOT_FOUND;
            case DeployException d when d.type() == DeployException.Type.NOT_FOUND -> HttpStatus.NOT_FOUND;
            case IssuanceException i when i.type() == IssuanceException.Type.CONFLICT -> HttpStatus.CONFLICT;
            case DeployException d when d.type() == DeployException.Type.CONFLICT -> HttpStatus.CONFLICT;
            case IssuanceException i when i.type() == IssuanceException.Type.UPSTREAM -> HttpStatus.BAD_GATEWAY;
            case IssuanceException i when i.type() == IssuanceException.Type.FORBIDDEN -> HttpStatus.FORBIDDEN;
            default -> HttpStatus.BAD_REQUEST;
        };
        log.debug("dashboard request refused: {}", e.getMessage());
        return error(status, e.getMessage());
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
