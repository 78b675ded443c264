package dev.certwright.dashboard;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.certwright.audit.AuditLog;
import dev.certwright.platform.SignInFailed;
import dev.certwright.platform.SignInSucceeded;

/**
 * Audits dashboard sign-ins: who, from which address, and for a failure why (never the password). The events are
 * published inside the transaction that counts the sign-in, so the entry commits with the count.
 */
@Component
class SignInAudit {

    private final AuditLog audit;

    SignInAudit(AuditLog audit) {
        this.audit = audit;
    }

    @EventListener
    void on(SignInSucceeded event) {
        audit.append(event.username(), "user.signed-in", "user", event.username(), "address=" + event.address());
    }

    @EventListener
    void on(SignInFailed event) {
        audit.append("anonymous", "user.sign-in-failed", "user", event.username(), "address=" + event.address() + " reason=" + event.reason());
    }
}
