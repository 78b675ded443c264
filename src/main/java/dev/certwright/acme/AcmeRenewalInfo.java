package dev.certwright.acme;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.acme.domain.AriCertId;
import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.issuance.CaHierarchy;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.policy.PolicyException;
import dev.certwright.x509.SerialNumber;

/**
 * ACME Renewal Information (RFC 9773): the window in which a certificate should be renewed, from its profile's
 * renewal policy ({@code renewBefore}, else a third of its life) and moved to the switch when its issuer is rolled
 * over, and the incident lever that moves windows into the past so that ARI-aware clients renew at once.
 */
@Service
public class AcmeRenewalInfo {

    /** RFC 9773 §4.2: a suggested window, and how long a client should wait before asking again. */
    public record Window(Instant start, Instant end, Duration retryAfter) {
    }

    static final Duration RETRY_AFTER = Duration.ofHours(6);
    static final Duration RETRY_AFTER_URGENT = Duration.ofHours(1);

    private final CertificateInventory inventory;
    private final CaHierarchy hierarchy;
    private final IssuancePolicy policy;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;

    AcmeRenewalInfo(CertificateInventory inventory, CaHierarchy hierarchy, IssuancePolicy policy, AuditLog audit, TransactionTemplate transactions,
            Clock clock) {
        this.inventory = inventory;
        this.hierarchy = hierarchy;
        this.policy = policy;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** The certificate issued here that a certID names, if any. */
    public Optional<CertificateRecord> find(AriCertId id) {
        return inventory.findBySerial(new SerialNumber(id.serial().abs())).stream()
                .filter(r -> r.der() != null && r.issuerName() != null && id.names(r.der())).findFirst();
    }

    /**
     * The suggested window: [notAfter - renewBefore, notAfter - renewBefore/2], moved to the switch time when the
     * issuer generation has a successor ({@link #rolledOver}); for a revoked certificate or one whose renewal an
     * operator advanced, a window that ended already (RFC 9773 §4.2: "renew immediately").
     */
    public Window window(CertificateRecord record) {
        Instant now = clock.instant();
        Optional<Instant> advanced = inventory.renewalAdvancedAt(record.id());
        if (record.status() == CertificateStatus.REVOKED || advanced.isPresent()) {
            Instant end = advanced.orElse(now).isAfter(now) ? now : advanced.orElse(now);
            return new Window(end.minus(Duration.ofHours(1)), end, RETRY_AFTER_URGENT);
        }
        Duration life = Duration.between(record.notBefore(), record.notAfter());
        Duration configured = null;
        try {
            configured = policy.profile(record.profile()).renewBefore();
        } catch (PolicyException e) {
            // the profile is gone from the configuration: the default rule applies
        }
        Duration renewBefore = dev.certwright.policy.RenewalLead.of(life, configured); // the rule scheduled renewal uses too
        Instant start = record.notAfter().minus(renewBefore);
        Window window = new Window(start, start.plus(renewBefore.dividedBy(2)), RETRY_AFTER);
        Optional<Instant> switchAt = record.issuerName() == null ? Optional.empty() : hierarchy.successorSwitch(record.issuerName());
        return switchAt.map(at -> rolledOver(window, at)).orElse(window);
    }

    /**
     * The window of a certificate whose issuer generation is rolled over (its successor switches at {@code switchAt},
     * or did): it starts at the switch, when renewing first gets a certificate from the successor, and keeps its usual
     * length, so that every certificate of the predecessor moves within one window's length after the switch instead
     * of at its own time, and the predecessor retires that much sooner. Never later than the usual window: a window
     * that starts before the switch stays as it is. Since a certificate never outlives its issuer, the window ends at
     * least half a renewal lead before the predecessor's own notAfter. RFC 9773 §4.2: a client picks a random time in
     * the window, and renews at once when that time has passed.
     */
    static Window rolledOver(Window usual, Instant switchAt) {
        if (!switchAt.isBefore(usual.start())) {
            return usual;
        }
        // Starting before the usual start with the same length, it also ends before the usual end.
        return new Window(switchAt, switchAt.plus(Duration.between(usual.start(), usual.end())), usual.retryAfter());
    }

    /** Moves the selected certificates' windows into the past, with an audit entry. Returns how many were moved. */
    public int advance(CertificateInventory.RenewalSelector selector, String actor) {
        if (selector.issuerName() == null && selector.profile() == null && (selector.serials() == null || selector.serials().isEmpty())
                && selector.issuedBefore() == null) {
            throw new IllegalArgumentException("name at least one of issuer, profile, serials or issuedBefore");
        }
        Instant now = clock.instant();
        Integer moved = transactions.execute(tx -> {
            int count = inventory.advanceRenewal(selector, now);
            audit.append(actor, "acme.renewal-advanced", "renewal-info", selectorText(selector), "certificates=" + count);
            return count;
        });
        return moved == null ? 0 : moved;
    }

    private static String selectorText(CertificateInventory.RenewalSelector s) {
        List<String> parts = new java.util.ArrayList<>();
        if (s.issuerName() != null) {
            parts.add("issuer=" + s.issuerName());
        }
        if (s.profile() != null) {
            parts.add("profile=" + s.profile());
        }
        if (s.serials() != null && !s.serials().isEmpty()) {
            parts.add("serials=" + s.serials().size());
        }
        if (s.issuedBefore() != null) {
            parts.add("issuedBefore=" + s.issuedBefore());
        }
        String text = String.join(" ", parts);
        return text.length() > 255 ? text.substring(0, 255) : text;
    }
}
