package dev.certwright.delivery;

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

/**
 * Long-polls waiting for a slot's next instance. A waiter is a callback, not a thread: the request is suspended
 * (servlet async) until the slot's current certificate changes or its wait runs out. Instances issued on this node wake
 * their waiters after commit; those issued on another node are seen by a check every second of the slots someone waits
 * for (one query per such slot).
 */
@Component
class BundleWaiters {

    /** A suspended request: the certificate id it already has, and what to do when that changes. */
    record Waiter(Long seenCertificateId, Consumer<Long> wake) {
    }

    private final Map<String, Set<Waiter>> waiting = new ConcurrentHashMap<>();
    private final ManagedCertificates slots;

    BundleWaiters(ManagedCertificates slots) {
        this.slots = slots;
    }

    void add(String name, Waiter waiter) {
        waiting.computeIfAbsent(name, n -> ConcurrentHashMap.newKeySet()).add(waiter);
    }

    void remove(String name, Waiter waiter) {
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
