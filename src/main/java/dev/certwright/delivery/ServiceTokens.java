package dev.certwright.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Roles;

/**
 * Service tokens: SERVICE bearer tokens scoped to the managed certificates they name, made (shown once), listed
 * (never the value) and revoked, each change audited; used by the API and the dashboard.
 */
@Service
public class ServiceTokens {

    static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final ApiTokens tokens;
    private final ManagedCertificateService managed;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;

    ServiceTokens(ApiTokens tokens, ManagedCertificateService managed, AuditLog audit, TransactionTemplate transactions, Clock clock) {
        this.tokens = tokens;
        this.managed = managed;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** A new token: its value is in {@code token}, to be shown once. */
    public record Created(String name, List<String> managedCertificates, Instant createdAt, Instant expiresAt, String token) {

        @Override
        public String toString() {
            return "Created[" + name + "]";
        }
    }

    public Created create(String name, List<String> managedCertificates, Duration expiresIn, String actor) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "name must be 1 to 64 lowercase letters, digits, '.', '-' or '_'");
        }
        if (expiresIn != null && (expiresIn.isNegative() || expiresIn.isZero())) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "expiresIn must be a positive duration");
        }
        // An expiry past what the database stores (P999999999D) would be a 500.
        if (expiresIn != null && expiresIn.compareTo(Duration.ofDays(36500)) > 0) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "expiresIn must be at most 36500 days");
        }
        List<String> names = managedCertificates == null ? List.of() : managedCertificates.stream().distinct().toList();
        if (names.isEmpty() || names.size() > 100) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "managedCertificates must name 1 to 100 managed certificates");
        }
        for (String slot : names) {
            if (managed.find(slot).isEmpty()) {
                throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "managedCertificates: no managed certificate named '" + slot + "'");
            }
        }
        if (tokens.nameTaken(name)) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "a token named '" + name + "' exists or existed; names are not reused");
        }
        Instant now = clock.instant();
        Instant expires = expiresIn == null ? null : now.plus(expiresIn);
        String token = transactions.execute(tx -> {
            String value = tokens.create(name, Roles.SERVICE, expires, names);
            audit.append(actor, "service-token.created", "service-token", name, "managedCertificates=" + names + " expiresAt=" + expires);
            return value;
        });
        return new Created(name, names, now, expires, token);
    }

    public List<ApiTokens.TokenInfo> list() {
        return tokens.list().stream().filter(t -> Roles.SERVICE.equals(t.role())).toList();
    }

    /** Revokes a live service token (404 when there is none by that name). */
    public void revoke(String name, String actor) {
        transactions.executeWithoutResult(tx -> {
            if (!tokens.revoke(name, Roles.SERVICE)) {
                throw new InventoryException(InventoryException.Type.NOT_FOUND, "no live service token named '" + name + "'");
            }
            audit.append(actor, "service-token.revoked", "service-token", name, "");
        });
    }
}
