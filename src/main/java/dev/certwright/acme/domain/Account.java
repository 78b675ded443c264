package dev.certwright.acme.domain;

import java.time.Instant;
import java.util.List;

/** RFC 8555 §7.1.2 account. {@code jwk} is the public key as JSON; {@code owner} is who its certificates belong to. */
public record Account(long id, String thumbprint, String jwk, String status, List<String> contact, String owner, String eabKid,
        Instant createdAt) {

    public static final String VALID = "valid";
    public static final String DEACTIVATED = "deactivated";
    public static final String REVOKED = "revoked";

    public boolean valid() {
        return VALID.equals(status);
    }
}
