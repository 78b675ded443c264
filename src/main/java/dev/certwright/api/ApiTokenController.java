package dev.certwright.api;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Roles;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** Admin API tokens for people and scripts: made by an admin, shown once, listed without values, revoked. */
@RestController
class ApiTokenController {

    /** The longest lifetime a token may be given: 100 years. */
    static final java.time.Duration MAX_LIFETIME = java.time.Duration.ofDays(36500);

    private static final Set<String> ROLES = Set.of(Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER);
    private static final String BOOTSTRAP_TOKEN = "admin";

    private final ApiTokens tokens;
    private final Clock clock;
    private final AuditLog audit;
    private final TransactionTemplate transactions;

    ApiTokenController(ApiTokens tokens, Clock clock, AuditLog audit, TransactionTemplate transactions) {
        this.tokens = tokens;
        this.clock = clock;
        this.audit = audit;
        this.transactions = transactions;
    }

    /** POST /api/v1/api-tokens. */
    record CreateBody(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9._-]{0,63}", message = "must be 1 to 64 lowercase letters, digits, '.', '-' or '_'") String name,
            @NotBlank String role,
            Duration expiresIn) {
    }

    /** A token; {@code token} is present only in the response that created it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record TokenResponse(String name, String role, Instant createdAt, Instant expiresAt, Instant revokedAt, String token) {
    }

    @PostMapping(path = "/api/v1/api-tokens", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<TokenResponse> create(@Valid @RequestBody CreateBody body, Authentication actor) {
        if (!ROLES.contains(body.role())) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "role must be one of ADMIN, OPERATOR, VIEWER");
        }
        if (body.expiresIn() != null && (body.expiresIn().isNegative() || body.expiresIn().isZero())) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "expiresIn must be a positive duration");
        }
        // An expiry past what the database stores (P999999999D) was a 500 (found by the bad-input corpus).
        if (body.expiresIn() != null && body.expiresIn().compareTo(MAX_LIFETIME) > 0) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "expiresIn must be at most " + MAX_LIFETIME.toDays() + " days");
        }
        if (tokens.nameTaken(body.name())) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "a token named '" + body.name() + "' exists or existed; names are not reused");
        }
        Instant now = clock.instant();
        Instant expires = body.expiresIn() == null ? null : now.plus(body.expiresIn());
        // The token and its audit entry (never its value) commit together.
        String token = transactions.execute(tx -> {
            String created = tokens.create(body.name(), body.role(), expires);
            audit.append(actor.getName(), "api-token.created", "api-token", body.name(), "role=" + body.role() + " expiresAt=" + expires);
            return created;
        });
        return ResponseEntity.created(URI.create("/api/v1/api-tokens/" + body.name()))
                .header("Cache-Control", "no-store")
                .body(new TokenResponse(body.name(), body.role(), now, expires, null, token));
    }

    @GetMapping("/api/v1/api-tokens")
    List<TokenResponse> list() {
        return tokens.list().stream().map(t -> new TokenResponse(t.name(), t.role(), t.createdAt(), t.expiresAt(), t.revokedAt(), null)).toList();
    }

    @DeleteMapping("/api/v1/api-tokens/{name}")
    ResponseEntity<Void> revoke(@PathVariable String name, Authentication actor) {
        if (BOOTSTRAP_TOKEN.equals(name)) {
            throw new InventoryException(InventoryException.Type.DUPLICATE,
                    "the bootstrap admin token cannot be revoked here; replace it by setting CERTWRIGHT_ADMIN_TOKEN and restarting");
        }
        boolean revoked = Boolean.TRUE.equals(transactions.execute(tx -> {
            if (!tokens.revoke(name)) {
                return false;
            }
            audit.append(actor.getName(), "api-token.revoked", "api-token", name, "");
            return true;
        }));
        if (!revoked) {
            throw new InventoryException(InventoryException.Type.NOT_FOUND, "no live token named '" + name + "'");
        }
        return ResponseEntity.noContent().build();
    }
}
