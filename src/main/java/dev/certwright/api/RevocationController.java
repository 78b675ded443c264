package dev.certwright.api;

import java.time.Clock;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.issuance.CertificateRevocation;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.x509.RevocationReason;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;

/**
 * Revoke a certificate, release a hold, revoke a managed certificate's current instance. Each answers with the
 * certificate as it now is. OCSP answers "revoked" within a second; both CRLs list it within
 * {@code certwright.crl.publish-delay}.
 */
@RestController
class RevocationController {

    private final CertificateRevocation revocation;
    private final CertificateInventory inventory;
    private final Clock clock;

    RevocationController(CertificateRevocation revocation, CertificateInventory inventory, Clock clock) {
        this.revocation = revocation;
        this.inventory = inventory;
        this.clock = clock;
    }

    /** {@code {reason}}: an RFC 5280 reason name; unspecified when left out. */
    record RevokeBody(@Size(max = 32) String reason) {
    }

    @PostMapping(path = "/api/v1/certificates/{serial}/revoke", consumes = MediaType.APPLICATION_JSON_VALUE)
    CertificateResponse revoke(@PathVariable String serial, @RequestParam(required = false) String issuer,
            @Valid @RequestBody RevokeBody body, Authentication actor) {
        RevocationReason reason = reason(body.reason());
        return respond(revocation.revoke(bySerial(serial, issuer).id(), reason, actor.getName()));
    }

    @PostMapping("/api/v1/certificates/{serial}/unrevoke")
    CertificateResponse unrevoke(@PathVariable String serial, @RequestParam(required = false) String issuer, Authentication actor) {
        return respond(revocation.releaseHold(bySerial(serial, issuer).id(), actor.getName()));
    }

    @PostMapping(path = "/api/v1/managed-certificates/{name}/revoke", consumes = MediaType.APPLICATION_JSON_VALUE)
    CertificateResponse revokeManaged(@PathVariable String name, @Valid @RequestBody RevokeBody body, Authentication actor) {
        RevocationReason reason = reason(body.reason());
        return respond(revocation.revokeManaged(name, reason, actor.getName()));
    }

    private static RevocationReason reason(String name) {
        if (name == null) {
            return RevocationReason.unspecified;
        }
        return RevocationReason.forRevoking(name).orElseThrow(() -> new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                "reason must be one of the RFC 5280 reason names: " + RevocationReason.revokingNames() + "; not '" + name + "'"));
    }

    private CertificateResponse respond(CertificateRecord record) {
        return CertificateResponse.full(record, clock.instant(), null, null);
    }

    private CertificateRecord bySerial(String serial, String issuer) {
        return CertificateLookup.bySerial(inventory, serial, issuer);
    }
}
