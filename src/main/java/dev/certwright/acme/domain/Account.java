package dev.certwright.acme.domain;

import java.time.Instant;
import java.util.List;

/** RFC 8555 §7.1.2 account. {@code jwk} is the public key as JSON; {@code owner} is who its certificates belong to. */
public record Account(long id, String thumbprint, String jwk, AccountStatus status, List<String> contact, String owner, String eabKid,
        Instant createdAt) {

    public boolean valid() {
        return status == AccountStatus.VALID;
    }

    /** The actor this account is in audit entries and issuance requests. */
    public String actor() {
        return "acme-account:" + id;
    }
}
