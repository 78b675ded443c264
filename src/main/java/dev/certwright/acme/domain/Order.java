package dev.certwright.acme.domain;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** RFC 8555 §7.1.3 order. */
public record Order(long id, long accountId, OrderStatus status, List<Identifier> identifiers, String profile, Instant expires, String error,
        Long certificateId, Instant createdAt, Long replacesCertificateId) {

    /**
     * RFC 8555 §7.1.6: an order is invalid once it expired or any of its authorizations is no longer pending or valid;
     * ready when all are valid; pending otherwise. processing, valid and invalid, once stored, stay.
     */
    public OrderStatus statusGiven(List<Authorization> authorizations, Instant now) {
        if (status.settled()) {
            return status;
        }
        if (!expires.isAfter(now)) {
            return OrderStatus.INVALID;
        }
        boolean allValid = true;
        for (Authorization authorization : authorizations) {
            AuthorizationStatus s = authorization.statusAt(now);
            if (s != AuthorizationStatus.VALID && s != AuthorizationStatus.PENDING) {
                return OrderStatus.INVALID;
            }
            allValid &= s == AuthorizationStatus.VALID;
        }
        return allValid ? OrderStatus.READY : OrderStatus.PENDING;
    }

    /** RFC 8555 §7.4: an order is finalized only when it is ready: every authorization valid, not expired. */
    public boolean readyToFinalize(List<Authorization> authorizations, Instant now) {
        return statusGiven(authorizations, now) == OrderStatus.READY;
    }

    public boolean ownedBy(Account account) {
        return accountId == account.id();
    }

    /** The order's identifiers in canonical form (IP addresses as their canonical text), in order. */
    public Set<Identifier> canonicalIdentifiers() {
        Set<Identifier> ordered = new LinkedHashSet<>();
        identifiers.forEach(i -> ordered.add(i.canonical()));
        return ordered;
    }

    /** RFC 8555 §7.4: the CSR must name exactly what the order names, no more and no fewer. */
    public boolean namesExactly(Set<Identifier> asked) {
        return asked.equals(canonicalIdentifiers());
    }
}
