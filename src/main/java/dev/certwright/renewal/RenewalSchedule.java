package dev.certwright.renewal;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.inventory.RenewalWindowChanged;
import dev.certwright.issuance.CertificateIssued;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.renewal.internal.RenewalProperties;

/**
 * Sets when a managed certificate's new instance is due for renewal. It listens synchronously, inside the transaction
 * that stored the instance, so the instance and its due time commit together: no crash in between can leave a slot
 * that is renewed twice or never.
 */
@Component
class RenewalSchedule {

    private final ManagedCertificates managed;
    private final CertificateInventory inventory;
    private final IssuancePolicy policy;
    private final RenewalProperties properties;
    private final SecureRandom random;
    private final java.time.Clock clock;

    RenewalSchedule(ManagedCertificates managed, CertificateInventory inventory, IssuancePolicy policy, RenewalProperties properties,
            SecureRandom random, java.time.Clock clock) {
        this.managed = managed;
        this.inventory = inventory;
        this.policy = policy;
        this.properties = properties;
        this.random = random;
        this.clock = clock;
    }

    @EventListener
    void onIssued(CertificateIssued issued) {
        if (issued.managedName() != null) {
            schedule(issued.managedName(), issued.certificateId());
        }
    }

    /**
     * Schedules slots whose instance has no due time: issued before this listener existed (the server certificate is
     * issued while the web server starts, before event listeners are registered) or before renewal was built.
     */
    void scheduleMissing() {
        managed.unscheduled(500).forEach(slot -> schedule(slot.getKey(), slot.getValue()));
    }

    private void schedule(String name, long certificateId) {
        ManagedCertificate slot = managed.find(name).orElse(null);
        CertificateRecord record = inventory.find(certificateId).orElse(null);
        if (slot == null || record == null || record.notBefore() == null) {
            return;
        }
        Duration profileRule;
        try {
            profileRule = policy.profile(slot.profile()).renewBefore();
        } catch (RuntimeException e) {
            profileRule = null; // the profile left the configuration: the renewal itself will fail and say so
        }
        var window = inventory.renewalWindow(certificateId);
        if (window.isPresent()) {
            // RFC 9773 §4.2: the upstream's suggested window decides; a time chosen at random inside it.
            managed.scheduleRenewal(slot.name(), window.get().pick(random));
            return;
        }
        managed.scheduleRenewal(slot.name(), dueAt(record.notBefore(), record.notAfter(), slot.renewBefore(), profileRule, properties.jitter(),
                random));
    }

    /**
     * The upstream moved the window of the slot's current instance (RFC 9773 §4.3): the due time moves to a random time
     * inside the new one. Not when the slot is due already or may be claimed (a renew_at within one lease from now is
     * either, and a renewal is then on its way), nor when its renewal failed or was flagged.
     */
    @EventListener
    void onWindowChanged(RenewalWindowChanged changed) {
        var state = managed.renewalState(changed.managedName()).orElse(null);
        Instant now = clock.instant();
        if (state == null || state.renewAt() == null || !state.renewAt().isAfter(now.plus(properties.lease()))) {
            return;
        }
        managed.moveRenewal(changed.managedName(), changed.certificateId(), state.renewAt(), changed.window().pick(random));
    }

    /**
     * When to renew: {@code renewBefore} ahead of notAfter, taken from the slot's spec, else the profile, else a third
     * of the instance's life ({@link dev.certwright.policy.RenewalLead}, shared with ACME ARI); then moved earlier by a random share (up to {@code jitter}) of that lead.
     */
    static Instant dueAt(Instant notBefore, Instant notAfter, Duration slotRule, Duration profileRule, double jitter,
            java.util.random.RandomGenerator random) {
        Duration life = Duration.between(notBefore, notAfter);
        Duration lead = dev.certwright.policy.RenewalLead.of(life, slotRule, profileRule);
        long spread = (long) (lead.toMillis() * jitter);
        return notAfter.minus(lead).minusMillis(spread > 0 ? random.nextLong(spread + 1) : 0);
    }
}
