package dev.certwright.delivery;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;

import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.CertificateIssued;
import dev.certwright.issuance.IssuanceException;

/**
 * Long-polls waiting for a slot's next instance. A waiter is a callback, not a thread: the request is suspended
 * (servlet async) until the slot's current certificate changes or its wait runs out. Instances issued on this node wake
 * their waiters after commit; those issued on another node are seen by a check every second of the slots someone waits
 * for (one query per such slot).
 */
@Component
public class BundleWaiters {

    /** The longest a request may wait. */
    public static final Duration MAX_WAIT = Duration.ofMinutes(5);

    /** A suspended request: the certificate id it already has, and what to do when that changes. */
    public record Waiter(Long seenCertificateId, Consumer<Long> wake) {
    }

    private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final ManagedCertificates slots;

    BundleWaiters(ManagedCertificates slots) {
        this.slots = slots;
    }

    /** A request's {@code wait} parameter: an ISO-8601 duration from PT0S to {@link #MAX_WAIT}; zero when absent. */
    public static Duration parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        Duration parsed;
        try {
            parsed = Duration.parse(wait);
        } catch (DateTimeParseException e) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "wait must be an ISO-8601 duration such as PT30S");
        }
        if (parsed.isNegative() || parsed.compareTo(MAX_WAIT) > 0) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "wait must be between PT0S and " + MAX_WAIT);
        }
        return parsed;
    }

    /** Wakes this waiter when the slot's current certificate is no longer the one it has seen. */
    public void add(String name, Waiter waiter) {
        waiting.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(waiter);
    }

    /** Forgets a waiter (its request completed, failed or timed out). */
    public void remove(String name, Waiter waiter) {
        waiting.computeIfPresent(name, (n, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    @TransactionalEventListener
    void onIssued(CertificateIssued issued) {
        if (issued.managedName() != null) {
            wake(issued.managedName(), issued.certificateId());
        }
    }

    @Scheduled(fixedDelay = 1000, initialDelay = 1000)
    void checkOtherNodes() {
        for (String name : waiting.keySet()) {
            slots.find(name).map(ManagedCertificate::currentCertificateId).ifPresent(current -> wake(name, current));
        }
    }

    private void wake(String name, long currentCertificateId) {
        Set<Waiter> set = waiting.get(name);
        if (set == null) {
            return;
        }
        for (Waiter waiter : set) {
            if (waiter.seenCertificateId() == null || waiter.seenCertificateId() != currentCertificateId) {
                remove(name, waiter);
                waiter.wake().accept(currentCertificateId);
            }
        }
    }
}
