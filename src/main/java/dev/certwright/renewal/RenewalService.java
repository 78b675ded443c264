package dev.certwright.renewal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.IssuedCertificate;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.platform.JobBudgets;
import io.micrometer.core.instrument.MeterRegistry;
import dev.certwright.renewal.internal.RenewalProperties;

/**
 * Renews managed certificates: the due ones, for the renewal job, and one on request. A due slot is claimed first (its
 * {@code renew_at} moved to a lease), so across all nodes each due time leads to one renewal. A failure is recorded,
 * audited and retried with exponential backoff; after {@code max-attempts} the slot is flagged.
 */
@Service
public class RenewalService {

    static final String SYSTEM = "system:renewal";
    private static final Logger log = LoggerFactory.getLogger(RenewalService.class);

    private final ManagedCertificates slots;
    private final ManagedCertificateService managed;
    private final RenewalProperties properties;
    private final AuditLog audit;
    private final ApplicationEventPublisher events;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final MeterRegistry meters;
    private final RenewalSchedule schedule;

    RenewalService(ManagedCertificates slots, ManagedCertificateService managed, RenewalProperties properties, AuditLog audit,
            ApplicationEventPublisher events, TransactionTemplate transactions, Clock clock, MeterRegistry meters, RenewalSchedule schedule) {
        this.schedule = schedule;
        this.slots = slots;
        this.managed = managed;
        this.properties = properties;
        this.audit = audit;
        this.events = events;
        this.transactions = transactions;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Renews what is due, in batches, until nothing is due or the time budget is spent.
     *
     * @return how many slots were renewed
     */
    public int renewDue(JobBudgets.Budget budget) {
        schedule.scheduleMissing();
        int renewed = 0;
        while (budget.remains()) {
            Instant now = clock.instant();
            var due = slots.dueForRenewal(now, 50);
            if (due.isEmpty()) {
                break;
            }
            int claimed = 0;
            for (ManagedCertificates.RenewalState slot : due) {
                if (!budget.remains()) {
                    break;
                }
                if (!slots.claimRenewal(slot.name(), slot.renewAt(), clock.instant().plus(properties.lease()))) {
                    continue; // another node took it
                }
                claimed++;
                if (renewClaimed(slot)) {
                    renewed++;
                }
            }
            if (claimed == 0) {
                break;
            }
        }
        return renewed;
    }

    /** Renews one slot now, whatever its due time (POST .../renew). Failures are the caller's answer, not retried. */
    public IssuedCertificate renewNow(String name, String actor) {
        IssuedCertificate issued = managed.renew(name, actor);
        meters.counter("certwright.renewals", "outcome", "success", "trigger", "request").increment();
        return issued;
    }

    private boolean renewClaimed(ManagedCertificates.RenewalState slot) {
        try {
            IssuedCertificate issued = managed.renew(slot.name(), SYSTEM);
            meters.counter("certwright.renewals", "outcome", "success", "trigger", "schedule").increment();
            log.info("renewed managed certificate {}: serial {} until {}", slot.name(), issued.record().serial(), issued.record().notAfter());
            return true;
        } catch (RuntimeException e) {
            failed(slot, e);
            return false;
        }
    }

    private void failed(ManagedCertificates.RenewalState slot, RuntimeException e) {
        meters.counter("certwright.renewals", "outcome", "failure", "trigger", "schedule").increment();
        int attempts = slot.attempts() + 1;
        boolean flag = attempts >= properties.maxAttempts();
        Duration wait = backoff(attempts);
        Instant retryAt = flag ? null : clock.instant().plus(wait);
        String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        log.warn("renewing managed certificate {} failed (attempt {} of {}): {}", slot.name(), attempts, properties.maxAttempts(), error);
        try {
            transactions.executeWithoutResult(tx -> {
                slots.renewalFailed(slot.name(), attempts, error, retryAt);
                String owner = slots.find(slot.name()).map(ManagedCertificate::owner).orElse(null);
                audit.append(SYSTEM, flag ? "managed-certificate.renewal-flagged" : "managed-certificate.renewal-failed", "managed-certificate",
                        slot.name(), "attempt=" + attempts + (flag ? " automatic renewal stopped" : " retry=" + retryAt) + " error=" + error);
                events.publishEvent(new RenewalFailed(slot.name(), owner, attempts, error, flag, retryAt));
            });
        } catch (RuntimeException recording) {
            // The lease runs out and the slot is due again: nothing is lost.
            log.error("could not record the failed renewal of {}; it is retried when its lease ends", slot.name(), recording);
        }
    }

    /** retry-backoff × 2^(attempts-1), at most max-backoff. */
    Duration backoff(int attempts) {
        return dev.certwright.platform.Backoff.after(attempts, properties.retryBackoff(), properties.maxBackoff());
    }
}
