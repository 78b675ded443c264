package dev.certwright.notify.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.deploy.DeploymentFinished;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.issuance.CertificateHoldReleased;
import dev.certwright.inventory.OwnersAssigned;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.platform.JobBudgets;
import dev.certwright.renewal.RenewalFailed;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;
import dev.certwright.notify.OwnerContacts;

/**
 * Finds what to tell owners and tells them. The scan records one notice per certificate, event, threshold and
 * recipient (the table's unique key makes that exact across runs and nodes); delivery claims each due notice, sends it,
 * and records the outcome, retrying failures with backoff.
 */
@Service
class NoticeService {

    static final String EXPIRING = "certificate.expiring";
    static final String RENEWAL_FAILED = "renewal.failed";
    static final String DEPLOYMENT_FAILED = "deployment.failed";
    private static final Logger log = LoggerFactory.getLogger(NoticeService.class);

    private final NoticeStore notices;
    private final ExpiryScan scan;
    private final OwnerContacts contacts;
    private final NotifyProperties properties;
    private final NoticeChannels channels;
    private final ManagedCertificates managed;
    private final CertificateInventory inventory;
    private final TransactionTemplate transactions;
    private final JsonMapper json;
    private final Clock clock;
    private final MeterRegistry meters;

    NoticeService(NoticeStore notices, ExpiryScan scan, OwnerContacts contacts, NotifyProperties properties, NoticeChannels channels, ManagedCertificates managed,
            CertificateInventory inventory, TransactionTemplate transactions, JsonMapper json, Clock clock, MeterRegistry meters) {
        this.notices = notices;
        this.scan = scan;
        this.contacts = contacts;
        this.properties = properties;
        this.channels = channels;
        this.managed = managed;
        this.inventory = inventory;
        this.transactions = transactions;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
    }

    /**
     * Records expiry notices. A certificate gets a notice at the smallest threshold it has crossed; the larger ones are
     * recorded as skipped, so one that is found with two days left is told once (at P7D), not three times.
     */
    int scanExpiring() {
        List<Duration> ascending = new ArrayList<>(properties.thresholds());
        java.util.Collections.reverse(ascending);
        int recorded = 0;
        for (int i = 0; i < ascending.size(); i++) {
            Duration threshold = ascending.get(i);
            List<Duration> larger = ascending.subList(i + 1, ascending.size());
            ExpiryScan.Batch batch = scan.next(label(threshold), threshold, 500);
            // One transaction for the batch and the scan's new position: a failure leaves both as they were for the next
            // run, and a batch costs one commit, not one per certificate (decision 40).
            transactions.executeWithoutResult(tx -> {
                for (ExpiryScan.Expiring cert : batch.due()) {
                    String detail = payload(EXPIRING, label(threshold), cert.serial(), lines(cert.sans()), cert.subject(), cert.owner(),
                            cert.notAfter(), cert.source(), cert.managedName(), null);
                    record(cert.id(), EXPIRING, label(threshold), cert.owner(), detail);
                    for (Duration skipped : larger) {
                        notices.create(cert.id(), EXPIRING, label(skipped), "none", "", "skipped", "superseded by " + label(threshold));
                    }
                }
                scan.done(batch);
            });
            recorded += batch.due().size();
        }
        return recorded;
    }

    /** A certificate back from hold is ISSUED again with its old dates: the next scans look over every window again. */
    @EventListener
    void onHoldReleased(CertificateHoldReleased released) {
        scan.recheckAll();
    }

    /**
     * Discovered certificates got an owner (decision 75): ones already inside a window were passed over while they had
     * nobody to tell, and are noticed by the next scans rather than the next day's full pass.
     */
    @EventListener
    void onOwnersAssigned(OwnersAssigned assigned) {
        scan.recheckAll();
    }

    /** A managed certificate whose renewal was given up: its owner is told, in the transaction that flagged it. */
    @EventListener
    void onRenewalFailed(RenewalFailed failed) {
        if (!failed.flagged()) {
            return;
        }
        managed.find(failed.name()).map(m -> m.currentCertificateId()).flatMap(id -> id == null ? java.util.Optional.empty() : inventory.find(id))
                .ifPresent((CertificateRecord cert) -> record(cert.id(), RENEWAL_FAILED, "attempt-" + failed.attempts(), cert.owner(),
                        payload(RENEWAL_FAILED, "attempt-" + failed.attempts(), cert.serial().hex(), cert.sans(), cert.subject(), cert.owner(),
                                cert.notAfter(), cert.source().name(), failed.name(), failed.error())));
    }

    /** A deployment gave up (its last attempt failed or was rolled back): the owner is told, in the recording transaction. */
    @EventListener
    void onDeploymentFinished(DeploymentFinished finished) {
        if (!finished.last() || finished.status() == dev.certwright.deploy.DeploymentStatus.VERIFIED) {
            return;
        }
        inventory.find(finished.certificateId()).ifPresent(cert -> record(cert.id(), DEPLOYMENT_FAILED, "deployment-" + finished.deploymentId(),
                cert.owner(), payload(DEPLOYMENT_FAILED, finished.target(), cert.serial().hex(), cert.sans(), cert.subject(), cert.owner(),
                        cert.notAfter(), cert.source().name(), finished.managedName(), finished.status() + ": " + finished.reason())));
    }

    private void record(long certificateId, String event, String threshold, String owner, String detail) {
        OwnerContacts.Contacts who = contacts.get(owner);
        int recipients = 0;
        for (String email : who.emails()) {
            recipients += notices.create(certificateId, event, threshold, OwnerContacts.EMAIL, email, "pending", detail) ? 1 : 0;
        }
        for (String hook : who.webhooks()) {
            recipients += notices.create(certificateId, event, threshold, OwnerContacts.WEBHOOK, hook, "pending", detail) ? 1 : 0;
        }
        if (properties.webhookUrl() != null && !properties.webhookUrl().isBlank()) {
            recipients += notices.create(certificateId, event, threshold, OwnerContacts.WEBHOOK, properties.webhookUrl(), "pending", detail) ? 1 : 0;
        }
        if (recipients == 0) {
            notices.create(certificateId, event, threshold, "none", "", "skipped", "owner '" + owner + "' has no contact");
        }
    }

    /** Sends what is due; each notice is claimed first, so two nodes never send the same one. */
    int deliverDue(JobBudgets.Budget budget) {
        int sent = 0;
        for (NoticeStore.Pending notice : notices.due(clock.instant(), 200)) {
            if (!budget.remains()) {
                break;
            }
            if (!notices.claim(notice.id(), notice.attempts(), clock.instant().plus(Duration.ofMinutes(2)))) {
                continue;
            }
            try {
                channels.send(notice);
                notices.sent(notice.id());
                meters.counter("certwright.notices", "channel", notice.channel(), "outcome", "sent").increment();
                sent++;
            } catch (RuntimeException e) {
                int attempts = notice.attempts() + 1;
                Instant retryAt = attempts >= properties.maxAttempts() ? null : clock.instant().plus(backoff(attempts));
                notices.failed(notice.id(), e.getMessage(), retryAt);
                meters.counter("certwright.notices", "channel", notice.channel(), "outcome", "failed").increment();
                log.warn("notice {} ({} to {}) failed, attempt {}: {}", notice.id(), notice.channel(), NoticeChannels.safeTarget(notice), attempts,
                        e.getMessage());
            }
        }
        return sent;
    }

    /** P7D rather than Duration's PT168H, for whole days. */
    static String label(Duration threshold) {
        return threshold.toSeconds() % 86_400 == 0 ? "P" + threshold.toDays() + "D" : threshold.toString();
    }

    Duration backoff(int attempts) {
        return dev.certwright.platform.Backoff.after(attempts, properties.retryBackoff(), Duration.ofHours(1));
    }

    private String payload(String event, String threshold, String serial, List<String> names, String subject, String owner, Instant notAfter,
            String source, String managedName, String error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("threshold", threshold);
        body.put("serial", serial);
        body.put("names", names);
        body.put("subject", subject);
        body.put("owner", owner);
        body.put("notAfter", notAfter.toString());
        body.put("daysLeft", Math.max(0, Duration.between(clock.instant(), notAfter).toDays()));
        body.put("source", source);
        if (managedName != null) {
            body.put("managedCertificate", managedName);
        }
        if (error != null) {
            body.put("error", error);
        }
        return json.writeValueAsString(body);
    }

    private static List<String> lines(String text) {
        return text == null || text.isEmpty() ? List.of() : Arrays.asList(text.split("\n"));
    }
}
