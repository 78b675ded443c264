package dev.certwright.api;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.deploy.DeployException;
import dev.certwright.deploy.DeployTargetService;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.issuance.ManagedCertificateSpec;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Roles;
import dev.certwright.renewal.RenewalService;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Managed certificates: Certwright holds the key and the current instance. The key is never returned here. */
@RestController
class ManagedCertificateController {

    private final ManagedCertificateService managed;
    private final CertificateInventory inventory;
    private final Clock clock;
    private final RenewalService renewals;
    private final ManagedCertificates slots;
    private final DeployTargetService targets;

    ManagedCertificateController(ManagedCertificateService managed, CertificateInventory inventory, Clock clock, RenewalService renewals,
            ManagedCertificates slots, DeployTargetService targets) {
        this.targets = targets;
        this.renewals = renewals;
        this.slots = slots;
        this.managed = managed;
        this.inventory = inventory;
        this.clock = clock;
    }

    /** POST /api/v1/managed-certificates. */
    record CreateBody(
            @NotBlank @Size(max = 64) String name,
            @NotBlank @Size(max = 64) String profile,
            @Size(max = 100) List<@NotBlank @Size(max = 253) String> dnsNames,
            @Size(max = 100) List<@NotBlank @Size(max = 64) String> ipAddresses,
            @Size(max = 32) String keyAlgorithm,
            @NotBlank @Pattern(regexp = Validation.OWNER, message = "must be 1 to 255 printable characters") String owner,
            @Size(max = Validation.MAX_TAGS) List<@Pattern(regexp = Validation.TAG, message = "must be a tag of letters, digits and ._:/=-, at most 64 characters") String> tags,
            Duration validity,
            Duration renewBefore,
            Boolean rekey,
            Boolean revokeSuperseded,
            @Pattern(regexp = "managed|on-host", message = "must be managed or on-host") String keyMode,
            @Size(max = 32) List<@NotBlank @Size(max = 64) String> targets) {
    }

    /** One instance in a managed certificate's history. */
    record Instance(String serial, String status, Instant notBefore, Instant notAfter, Instant createdAt) {
    }

    /** A managed certificate as the API shows it. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ManagedResponse(String name, String profile, List<String> dnsNames, List<String> ipAddresses, String keyAlgorithm,
            String owner, List<String> tags, Duration validity, Duration renewBefore, boolean rekey, boolean revokeSuperseded, String keyMode, List<String> targets,
            String serial, Instant notAfter, String certificatePem, String chainPem, List<Instance> history, Instant createdAt,
            Renewal renewal) {
    }

    /** When the renewal job next takes the slot up, and its failures since the last success. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Renewal(Instant renewAt, int failedAttempts, String lastError, Instant flaggedAt) {
    }

    @PostMapping(path = "/api/v1/managed-certificates", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ManagedResponse> create(@Valid @RequestBody CreateBody body, Authentication actor) {
        boolean admin = actor.getAuthorities().stream().anyMatch(a -> ("ROLE_" + Roles.ADMIN).equals(a.getAuthority()));
        if (!admin && ((body.targets() != null && !body.targets().isEmpty()) || "on-host".equals(body.keyMode()))) {
            // Before the target names are looked up: an operator learns nothing about which targets exist.
            throw new IssuanceException(IssuanceException.Type.FORBIDDEN, "naming deployment targets and keyMode on-host need the ADMIN role");
        }
        List<String> unknown = targets.unknown(body.targets());
        if (!unknown.isEmpty()) {
            throw new DeployException(DeployException.Type.BAD_REQUEST, "no deployment targets named " + unknown);
        }
        ManagedCertificate created = managed.create(new ManagedCertificateSpec(body.name(), body.profile(), body.dnsNames(),
                body.ipAddresses(), body.keyAlgorithm(), body.owner(), body.tags(), body.validity(), body.renewBefore(), body.rekey(),
                body.revokeSuperseded(), body.keyMode(), body.targets()), actor.getName(), admin);
        return ResponseEntity.created(URI.create("/api/v1/managed-certificates/" + created.name())).body(view(created));
    }

    @GetMapping("/api/v1/managed-certificates/{name}")
    ManagedResponse get(@PathVariable String name) {
        return view(managed.get(name));
    }

    /**
     * Renews now, whatever the due time; the successor is linked to the current instance and audited. An operator may
     * renew any slot; a service only its own, and only when it authenticated with that slot's certificate (mTLS).
     */
    @PostMapping("/api/v1/managed-certificates/{name}/renew")
    ManagedResponse renew(@PathVariable String name, Authentication actor) {
        if (actor.getPrincipal() instanceof ApiTokens.ApiPrincipal p && Roles.SERVICE.equals(p.role())
                && !(p.certificate() && p.scope().contains(name))) {
            throw new AccessDeniedException("a service may renew only its own managed certificate, authenticated with it over mTLS");
        }
        renewals.renewNow(name, actor.getName()); // 404 for an unknown name
        return view(managed.get(name));
    }

    private ManagedResponse view(ManagedCertificate m) {
        Instant now = clock.instant();
        CertificateRecord current = m.currentCertificateId() == null ? null : inventory.find(m.currentCertificateId()).orElse(null);
        List<Instance> history = managed.history(m.name()).stream()
                .map(r -> new Instance(r.serial().hex(), r.effectiveStatus(now), r.notBefore(), r.notAfter(), r.createdAt())).toList();
        return new ManagedResponse(m.name(), m.profile(), m.dnsNames(), m.ipAddresses(), m.keyAlgorithm(), m.owner(), m.tags(),
                m.validity(), m.renewBefore(), m.rekey(), m.revokeSuperseded(), m.keyMode().text(), m.targets(),
                current == null ? null : current.serial().hex(), current == null ? null : current.notAfter(),
                current == null ? null : dev.certwright.x509.Pem.encode(dev.certwright.x509.Pem.CERTIFICATE, current.der()),
                current == null ? null : current.chainPem(), history, m.createdAt(), slots.renewalState(m.name())
                        .map(r -> new Renewal(r.renewAt(), r.attempts(), r.error(), r.flaggedAt())).orElse(null));
    }
}
