package dev.certwright.api;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.delivery.ServiceTokens;

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

    private final ServiceTokens tokens;

    ServiceTokenController(ServiceTokens tokens) {
        this.tokens = tokens;
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
    ResponseEntity<ServiceTokenResponse> create(@Valid @RequestBody CreateBody body, Authentication actor) {
        ServiceTokens.Created created = tokens.create(body.name(), body.managedCertificates(), body.expiresIn(), actor.getName());
        return ResponseEntity.created(URI.create("/api/v1/service-tokens/" + body.name())).header("Cache-Control", "no-store")
                .body(new ServiceTokenResponse(created.name(), created.managedCertificates(), created.createdAt(), created.expiresAt(), null,
                        created.token()));
    }

    @GetMapping("/api/v1/service-tokens")
    List<ServiceTokenResponse> list() {
        return tokens.list().stream().map(t -> new ServiceTokenResponse(t.name(), t.scope(), t.createdAt(), t.expiresAt(), t.revokedAt(), null))
                .toList();
    }

    @DeleteMapping("/api/v1/service-tokens/{name}")
    ResponseEntity<Void> revoke(@PathVariable String name, Authentication actor) {
        tokens.revoke(name, actor.getName());
        return ResponseEntity.noContent().build();
    }
}
