package dev.certwright.platform.internal;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionListener;

import dev.certwright.platform.StartupException;

/**
 * An idle timeout for dashboard sessions in seconds, {@code certwright.session.idle-timeout}, for the end-to-end test that
 * watches a session expire: Tomcat rounds {@code server.servlet.session.timeout} to whole minutes, so a test of it would
 * wait a minute. Unset (the default), sessions keep the container's timeout, {@code server.servlet.session.timeout}.
 */
@Component
class SessionIdleTimeout implements HttpSessionListener {

    private final Duration timeout;

    SessionIdleTimeout(@Value("${certwright.session.idle-timeout:#{null}}") Duration timeout) {
        if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.toSeconds() > Integer.MAX_VALUE)) {
            throw new StartupException("certwright.session.idle-timeout must be a positive duration, not " + timeout);
        }
        this.timeout = timeout;
    }

    @Override
    public void sessionCreated(HttpSessionEvent event) {
        if (timeout != null) {
            // Whole seconds, at least one: HttpSession#setMaxInactiveInterval counts seconds, and 0 or less means never.
            event.getSession().setMaxInactiveInterval((int) Math.max(1, timeout.toSeconds()));
        }
    }
}
