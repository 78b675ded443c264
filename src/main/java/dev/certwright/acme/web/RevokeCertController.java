package dev.certwright.acme.web;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.application.AcmeRevocations;
import jakarta.servlet.http.HttpServletRequest;

/**
 * RFC 8555 §7.6: revokeCert, signed by the account that ordered the certificate (kid) or by the certificate's own key
 * (jwk); the use case is {@link AcmeRevocations}'.
 */
@RestController
class RevokeCertController {

    private final AcmeRequests requests;
    private final AcmeRevocations revocations;

    RevokeCertController(AcmeRequests requests, AcmeRevocations revocations) {
        this.requests = requests;
        this.revocations = revocations;
    }

    @PostMapping(path = AcmeLinker.Paths.REVOKE_CERT)
    ResponseEntity<Void> revokeCert(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.EITHER);
        var certificate = AcmePayloads.revokedCertificate(verified.payload());
        var reason = AcmePayloads.revocationReason(verified.payload());
        revocations.revoke(certificate, reason, verified.account(), () -> AcmeRequests.publicKey(verified.jwk()));
        return ResponseEntity.ok().build();
    }
}
