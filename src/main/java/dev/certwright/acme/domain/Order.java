package dev.certwright.acme.domain;

import java.time.Instant;
import java.util.List;

/** RFC 8555 §7.1.3 order. */
public record Order(long id, long accountId, String status, List<Identifier> identifiers, String profile, Instant expires, String error,
        Long certificateId, Instant createdAt, Long replacesCertificateId) {

    /**
     * RFC 8555 §7.1.6: an order is invalid once it expired or any of its authorizations is no longer pending or valid;
     * ready when all are valid; pending otherwise. processing, valid and invalid, once stored, stay.
     */
    public String statusGiven(List<Authorization> authorizations, Instant now) {
        if (Status.PROCESSING.equals(status) || Status.VALID.equals(status) || Status.INVALID.equals(status)) {
            return status;
        }
        if (!expires.isAfter(now)) {
            return Status.INVALID;
        }
        boolean allValid = true;
        for (Authorization authorization : authorizations) {
            String s = authorization.statusAt(now);
            if (!Status.VALID.equals(s) && !Status.PENDING.equals(s)) {
                return Status.INVALID;
            }
            allValid &= Status.VALID.equals(s);
        }
        return allValid ? Status.READY : Status.PENDING;
    }
}
