package dev.certwright.platform.internal;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.DisabledException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.authentication.AuthenticationFailureHandler;
import org.springframework.security.web.authentication.AuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SavedRequestAwareAuthenticationSuccessHandler;
import org.springframework.security.web.authentication.SimpleUrlAuthenticationFailureHandler;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.filter.OncePerRequestFilter;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import dev.certwright.platform.RateLimitBuckets;
import dev.certwright.platform.SignInFailed;
import dev.certwright.platform.SignInSucceeded;

/**
 * The dashboard sign-in's guard against password guessing, and its record: a filter that answers a sign-in attempt
 * for a blocked user name or address with 429 and Retry-After before the password is checked (RFC 6585 §4), and the
 * form login's success and failure handlers, which count failures ({@link SignInThrottle}) and publish
 * {@link SignInSucceeded} / {@link SignInFailed} in the same transaction (the dashboard audits them).
 */
@Component
class SignInGuard {

    static final String LOGIN = "/login";

    private final SignInThrottle throttle;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final ProblemResponses problems;

    SignInGuard(SignInThrottle throttle, ApplicationEventPublisher events, TransactionTemplate transactions, ProblemResponses problems) {
        this.throttle = throttle;
        this.events = events;
        this.transactions = transactions;
        this.problems = problems;
    }

    /** Refuses sign-in attempts (POST /login) of a blocked user name or address. */
    OncePerRequestFilter filter() {
        return new OncePerRequestFilter() {
            @Override
            protected boolean shouldNotFilter(HttpServletRequest request) {
                return !("POST".equals(request.getMethod()) && LOGIN.equals(request.getServletPath()));
            }

            @Override
            protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                    throws ServletException, IOException {
                Optional<Duration> wait = throttle.blocked(typedName(request), request.getRemoteAddr());
                if (wait.isPresent()) {
                    response.setHeader("Retry-After", Long.toString(RateLimitBuckets.retryAfterSeconds(wait.get())));
                    problems.write(request, response, HttpStatus.TOO_MANY_REQUESTS, "too-many-sign-ins",
                            "too many failed sign-ins for this user name or from this address; try again later");
                    return;
                }
                chain.doFilter(request, response);
            }
        };
    }

    AuthenticationSuccessHandler successHandler() {
        SavedRequestAwareAuthenticationSuccessHandler next = new SavedRequestAwareAuthenticationSuccessHandler();
        return (request, response, authentication) -> {
            signedIn(authentication, request.getRemoteAddr());
            next.onAuthenticationSuccess(request, response, authentication);
        };
    }

    AuthenticationFailureHandler failureHandler() {
        SimpleUrlAuthenticationFailureHandler next = new SimpleUrlAuthenticationFailureHandler(LOGIN + "?error");
        return (request, response, exception) -> {
            failed(typedName(request), request.getRemoteAddr(), exception);
            next.onAuthenticationFailure(request, response, exception);
        };
    }

    private void signedIn(Authentication authentication, String address) {
        transactions.executeWithoutResult(tx -> {
            throttle.succeeded(authentication.getName());
            events.publishEvent(new SignInSucceeded(authentication.getName(), address));
        });
    }

    private void failed(String username, String address, AuthenticationException exception) {
        String reason = exception instanceof DisabledException ? "disabled" : "bad-credentials";
        transactions.executeWithoutResult(tx -> {
            throttle.failed(username, address);
            events.publishEvent(new SignInFailed(username, address, reason));
        });
    }

    /** The user name as typed, cut to the longest a user name may be. */
    private static String typedName(HttpServletRequest request) {
        String name = request.getParameter("username");
        if (name == null) {
            return "";
        }
        name = name.trim();
        return name.length() > 128 ? name.substring(0, 128) : name;
    }
}
