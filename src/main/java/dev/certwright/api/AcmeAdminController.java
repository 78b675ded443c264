package dev.certwright.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import java.net.URI;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.AcmeRenewalInfo;
import dev.certwright.acme.ExternalAccountKeys;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.x509.SerialNumber;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * ACME administration: external account binding keys (RFC 8555 §7.3.4), and the incident lever of RFC 9773 (renewal
 * windows moved into the past).
 */
@RestController
class AcmeAdminController {

    private final AcmeRenewalInfo renewalInfo;
    private final ExternalAccountKeys eabKeys;
    private final CertificateAuthority ca;

    AcmeAdminController(AcmeRenewalInfo renewalInfo, ExternalAccountKeys eabKeys, CertificateAuthority ca) {
        this.renewalInfo = renewalInfo;
        this.eabKeys = eabKeys;
        this.ca = ca;
    }

    /** POST /api/v1/acme/eab-keys: who the accounts bound by it belong to, and what they may order. */
    record EabKeyBody(@NotBlank @Pattern(regexp = Validation.OWNER, message = "must be 1 to 255 printable characters") String owner,
            @Size(max = 100) List<@NotBlank @Size(max = 253) String> dnsNames, @Size(max = 20) List<@NotBlank @Size(max = 64) String> profiles) {
    }

    /** An EAB key as listed; the HMAC key only in the creation response. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record EabKeyResponse(String kid, String hmacKey, String owner, List<String> dnsNames, List<String> profiles, boolean bound,
            Instant createdAt, Instant revokedAt) {

        static EabKeyResponse of(ExternalAccountKeys.EabKey key, String hmacKey) {
            return new EabKeyResponse(key.kid(), hmacKey, key.owner(), key.dnsNames(), key.profiles(), key.accountId() != null, key.createdAt(),
                    key.revokedAt());
        }
    }

    @PostMapping("/api/v1/acme/eab-keys")
    ResponseEntity<EabKeyResponse> createEabKey(@Valid @RequestBody EabKeyBody body, Authentication actor) {
        ExternalAccountKeys.Created created = eabKeys.create(body.owner(), body.dnsNames(), body.profiles(), actor.getName());
        return ResponseEntity.created(URI.create("/api/v1/acme/eab-keys/" + created.key().kid())).header("Cache-Control", "no-store")
                .body(EabKeyResponse.of(created.key(), created.hmacKey()));
    }

    @GetMapping("/api/v1/acme/eab-keys")
    List<EabKeyResponse> eabKeys() {
        return eabKeys.list().stream().map(k -> EabKeyResponse.of(k, null)).toList();
    }

    @DeleteMapping("/api/v1/acme/eab-keys/{kid}")
    ResponseEntity<Void> revokeEabKey(@PathVariable String kid, Authentication actor) {
        if (!eabKeys.revoke(kid, actor.getName())) {
            throw new IssuanceException(IssuanceException.Type.NOT_FOUND, "no active external account key '" + kid + "'");
        }
        return ResponseEntity.noContent().build();
    }

    /** Which certificates: any combination; at least one part. */
    record AdvanceBody(@Size(max = 64) String issuer, @Size(max = 64) String profile, @Size(max = 10000) List<@Size(max = 64) String> serials,
            Instant issuedBefore) {
    }

    @PostMapping("/api/v1/acme/renewal-info/advance")
    Map<String, Object> advance(@Valid @RequestBody AdvanceBody body, Authentication actor) {
        if (body.issuer() == null && body.profile() == null && (body.serials() == null || body.serials().isEmpty()) && body.issuedBefore() == null) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "name at least one of issuer, profile, serials or issuedBefore");
        }
        // An issuer that is not ours selects nothing: a typo must be told, not answered "advanced: 0" with an audit
        // entry of an incident lever that moved nothing.
        if (body.issuer() != null && ca.issuers().stream().noneMatch(i -> i.name().equals(body.issuer()))) {
            throw new IssuanceException(IssuanceException.Type.NOT_FOUND, "no issuer named '" + body.issuer() + "'");
        }
        List<SerialNumber> serials = body.serials() == null ? List.of() : body.serials().stream().map(SerialNumber::parse).toList();
        int advanced = renewalInfo.advance(new CertificateInventory.RenewalSelector(body.issuer(), body.profile(), serials, body.issuedBefore()),
                actor.getName());
        return Map.of("advanced", advanced);
    }
}
