package dev.certwright.api;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.inventory.InventoryException;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Roles;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * Service tokens: bearer tokens with the role SERVICE that read the bundles of the managed certificates they name and
 * nothing else. Shown once; only the hash is stored; listed without values; revoked by name.
 */
@RestController
class ServiceTokenController {

    private final ApiTokens tokens;
    private final ManagedCertificateService managed;
    private final Clock clock;

    ServiceTokenController(ApiTokens tokens, ManagedCertificateService managed, Clock clock) {
        this.tokens = tokens;
        this.managed = managed;
        this.clock = clock;
    }

    /** POST /api/v1/service-tokens. */
    record CreateBody(
            @NotBlank @Pattern(regexp = "[a-z0-9][a-z0-9._-]{0,63}", message = "must be 1 to 64 lowercase letters, digits, '.', '-' or '_'") String name,
            @NotEmpty @Size(max = 100) List<@NotBlank @Size(max = 64) String> managedCertificates,
            Duration expiresIn) {
    }

    /** A service token; {@code token} only in the response that created it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ServiceTokenResponse(String name, List<String> managedCertificates, Instant createdAt, Instant expiresAt, Instant revokedAt,
            String token) {
    }

    @PostMapping(path = "/api/v1/service-tokens", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ServiceTokenResponse> create(@Valid @RequestBody CreateBody body) {
        if (body.expiresIn() != null && (body.expiresIn().isNegative() || body.expiresIn().isZero())) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "expiresIn must be a positive duration");
        }
        List<String> names = body.managedCertificates().stream().distinct().toList();
        for (String name : names) {
            if (managed.find(name).isEmpty()) {
                throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "managedCertificates: no managed certificate named '" + name + "'");
            }
        }
        if (tokens.nameTaken(body.name())) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "a token named '" + body.name() + "' exists or existed; names are not reused");
        }
        Instant now = clock.instant();
        Instant expires = body.expiresIn() == null ? null : now.plus(body.expiresIn());
        String token = tokens.create(body.name(), Roles.SERVICE, expires, names);
        return ResponseEntity.created(URI.create("/api/v1/service-tokens/" + body.name())).header("Cache-Control", "no-store")
                .body(new ServiceTokenResponse(body.name(), names, now, expires, null, token));
    }

    @GetMapping("/api/v1/service-tokens")
    List<ServiceTokenResponse> list() {
        return tokens.list().stream().filter(t -> Roles.SERVICE.equals(t.role()))
                .map(t -> new ServiceTokenResponse(t.name(), t.scope(), t.createdAt(), t.expiresAt(), t.revokedAt(), null)).toList();
    }

    @DeleteMapping("/api/v1/service-tokens/{name}")
    ResponseEntity<Void> revoke(@PathVariable String name) {
        if (!tokens.revoke(name, Roles.SERVICE)) {
            throw new InventoryException(InventoryException.Type.NOT_FOUND, "no live service token named '" + name + "'");
        }
        return ResponseEntity.noContent().build();
    }
}
