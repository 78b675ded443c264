package dev.certwright.audit;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.certwright.issuance.CaBootstrapped;
import dev.certwright.issuance.CertificateImported;
import dev.certwright.issuance.CertificateIssueFailed;
import dev.certwright.issuance.CertificateIssued;
import dev.certwright.issuance.ManagedCertificateCreated;

/**
 * Writes an audit entry for each state change. The listeners are synchronous: they run inside the publisher's
 * transaction, so the entry commits or rolls back with the change.
 */
@Component
class AuditRecorder {

    private final AuditLog log;

    AuditRecorder(AuditLog log) {
        this.log = log;
    }

    @EventListener
    void on(CertificateIssued e) {
        log.append(e.actor(), "certificate.issued", "certificate", e.serial(), "issuer=" + e.issuer() + " profile=" + e.profile()
                + " owner=" + e.owner() + " source=" + e.source() + (e.managedName() == null ? "" : " managed=" + e.managedName())
                + " notAfter=" + e.notAfter());
    }

    @EventListener
    void on(CertificateIssueFailed e) {
        log.append(e.actor(), "certificate.issue-failed", "certificate", e.serial(), "issuer=" + e.issuer() + " reason=" + e.reason());
    }

    @EventListener
    void on(CertificateImported e) {
        log.append(e.actor(), "certificate.imported", "certificate", e.serial(), "issuer=" + e.issuerDn() + " owner=" + e.owner());
    }

    @EventListener
    void on(ManagedCertificateCreated e) {
        log.append(e.actor(), "managed-certificate.created", "managed-certificate", e.name(), "profile=" + e.profile() + " owner=" + e.owner());
    }

    @EventListener
    void on(CaBootstrapped e) {
        log.append(e.actor(), "ca.created", "ca", String.join(",", e.issuers()), "issuers=" + e.issuers());
    }
}
