package dev.certwright.issuance;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.inventory.RevocationRecords;
import dev.certwright.x509.RevocationReason;

/**
 * Revokes certificates issued here, and releases holds (architecture, flow 3). The state change, its audit entry and
 * the {@link CertificateRevoked} event share one transaction; the {@code revocation} module reacts to the event by
 * dropping the pre-signed OCSP response in that same transaction and re-signing after commit, and the CRL job sees
 * the issuer's revision move.
 * <p>
 * Expired certificates can be revoked: a relying party that checks a signature made while the certificate was valid
 * still needs to learn of a key compromise.
 */
@Service
public class CertificateRevocation {

    private static final Logger log = LoggerFactory.getLogger(CertificateRevocation.class);

    private final CertificateInventory inventory;
    private final RevocationRecords records;
    private final ManagedCertificates managed;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;

    private final org.springframework.beans.factory.ObjectProvider<UpstreamCertificates> upstreams;

    CertificateRevocation(CertificateInventory inventory, RevocationRecords records, ManagedCertificates managed, AuditLog audit,
            ApplicationEventPublisher events, TransactionTemplate transactions, Clock clock,
            org.springframework.beans.factory.ObjectProvider<UpstreamCertificates> upstreams) {
        this.upstreams = upstreams;
        this.inventory = inventory;
        this.records = records;
        this.managed = managed;
        this.audit = audit;
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * Revokes the certificate. A certificate on hold may be revoked again for a final reason, which replaces the hold;
     * any other second revocation is a CONFLICT.
     */
    public CertificateRecord revoke(long certificateId, RevocationReason reason, String actor) {
        if (reason == RevocationReason.removeFromCRL) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "removeFromCRL is not a reason to revoke; release a hold with unrevoke");
        }
        CertificateRecord record = revocable(certificateId);
        boolean onHold = record.status() == CertificateStatus.REVOKED && record.revocation() != null
                && RevocationReason.certificateHold.name().equals(record.revocation().reason());
        if (record.status() == CertificateStatus.REVOKED && !(onHold && reason != RevocationReason.certificateHold)) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "certificate " + record.serial() + " is already revoked ("
                    + record.revocation().reason() + " at " + record.revocation().revokedAt() + ")");
        }
        if (record.source() == CertificateSource.UPSTREAM) {
            revokeUpstream(record, reason, actor);
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        transactions.executeWithoutResult(tx -> {
            if (onHold) {
                // RFC 5280 §5.3.1: a held certificate may later be revoked for good; the hold is replaced.
                records.releaseHold(record.id(), record.issuerName(), now);
            }
            records.revoke(record.id(), record.issuerName(), reason, now, actor).orElseThrow(() -> new IssuanceException(
                    IssuanceException.Type.CONFLICT, "certificate " + record.serial() + " changed while it was being revoked; try again"));
            audit.append(actor, "certificate.revoked", "certificate", record.serial().hex(), "issuer=" + record.issuerName()
                    + " reason=" + reason.name() + " revokedAt=" + now + (onHold ? " replaces=certificateHold" : ""));
            events.publishEvent(new CertificateRevoked(record.id(), record.serial().hex(), record.issuerName(), reason.name(), now, actor));
        });
        log.info("revoked serial {} of {} ({}) by {}", record.serial(), record.issuerName(), reason, actor);
        return inventory.find(record.id()).orElseThrow();
    }

    /**
     * A certificate from an upstream ACME CA is revoked there first (RFC 8555 §7.6): only its CRL and OCSP tell
     * relying parties. The inventory records it only once the upstream has accepted. A hold cannot be released upstream,
     * so none is placed.
     */
    private void revokeUpstream(CertificateRecord record, RevocationReason reason, String actor) {
        if (reason == RevocationReason.certificateHold) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "certificate " + record.serial()
                    + " is from an upstream ACME CA, which cannot release a hold; revoke it for a final reason");
        }
        UpstreamCertificates client = upstreams.getIfAvailable();
        if (client == null) {
            throw new IssuanceException(IssuanceException.Type.UPSTREAM_CA, "upstream revocation is not running on this node");
        }
        client.revoke(record.issuerName().substring("upstream:".length()), dev.certwright.x509.Pem.certificate(record.der()), reason, actor);
    }

    /** Releases a certificateHold (RFC 5280 §5.3.1 removeFromCRL): the certificate is valid again. */
    public CertificateRecord releaseHold(long certificateId, String actor) {
        CertificateRecord record = revocable(certificateId);
        if (record.status() != CertificateStatus.REVOKED || record.revocation() == null
                || !RevocationReason.certificateHold.name().equals(record.revocation().reason())) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "certificate " + record.serial() + " is not on hold ("
                    + (record.revocation() == null ? record.status() : "revoked for " + record.revocation().reason())
                    + "); only a certificateHold can be released");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        transactions.executeWithoutResult(tx -> {
            records.releaseHold(record.id(), record.issuerName(), now).orElseThrow(() -> new IssuanceException(
                    IssuanceException.Type.CONFLICT, "certificate " + record.serial() + " changed while its hold was being released; try again"));
            audit.append(actor, "certificate.hold-released", "certificate", record.serial().hex(), "issuer=" + record.issuerName()
                    + " releasedAt=" + now);
            events.publishEvent(new CertificateHoldReleased(record.id(), record.serial().hex(), record.issuerName(), now, actor));
        });
        log.info("released the hold on serial {} of {} by {}", record.serial(), record.issuerName(), actor);
        return inventory.find(record.id()).orElseThrow();
    }

    /**
     * Revokes a managed slot's replaced instance as superseded (RFC 5280 §5.3.1), unless it is already revoked or
     * expired: a renewal that has already happened must not fail over its predecessor.
     */
    public void revokeSuperseded(long certificateId, String actor) {
        CertificateRecord record = inventory.find(certificateId).orElse(null);
        if (record == null || record.status() != CertificateStatus.ISSUED || !record.notAfter().isAfter(clock.instant())) {
            return;
        }
        try {
            revoke(certificateId, RevocationReason.superseded, actor);
        } catch (IssuanceException e) {
            log.warn("could not revoke the superseded serial {}: {}", record.serial(), e.getMessage());
        }
    }

    /** Revokes the current instance of a managed certificate. */
    public CertificateRecord revokeManaged(String name, RevocationReason reason, String actor) {
        ManagedCertificate slot = managed.find(name).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                "no managed certificate named '" + name + "'"));
        if (slot.currentCertificateId() == null) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "managed certificate '" + name + "' has no certificate to revoke");
        }
        return revoke(slot.currentCertificateId(), reason, actor);
    }

    /** The certificate, if it is one whose revocation this CA can publish. */
    private CertificateRecord revocable(long certificateId) {
        CertificateRecord record = inventory.find(certificateId).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                "no certificate with id " + certificateId));
        if (record.source() == CertificateSource.IMPORTED || record.source() == CertificateSource.DISCOVERED || record.issuerName() == null) {
            throw new IssuanceException(IssuanceException.Type.CA_REFUSED, "certificate " + record.serial() + " was issued by "
                    + record.issuerDn() + ", not by this CA; revoke it at the CA that issued it");
        }
        if (record.source() == CertificateSource.CA && record.issuerDn().equals(record.subject())) {
            throw new IssuanceException(IssuanceException.Type.CA_REFUSED, "certificate " + record.serial()
                    + " is a self-signed root; no CRL can revoke it: remove it from the trust stores instead");
        }
        if (record.status() == CertificateStatus.PENDING || record.status() == CertificateStatus.FAILED) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "certificate " + record.serial() + " was never issued ("
                    + record.status() + ")");
        }
        return record;
    }
}
