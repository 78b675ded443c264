package dev.certwright.acme.web;

import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.application.AcmeAuthorizations;
import dev.certwright.acme.domain.Authorization;
import jakarta.servlet.http.HttpServletRequest;

/**
 * RFC 8555 §7.5: authorizations and their challenges, read with POST-as-GET (§6.3) and only by the account that owns
 * them; the use cases are {@link AcmeAuthorizations}'.
 */
@RestController
class AuthorizationController {

    private final AcmeRequests requests;
    private final AcmeAuthorizations authorizations;
    private final AcmeRepresentations representations;

    AuthorizationController(AcmeRequests requests, AcmeAuthorizations authorizations, AcmeRepresentations representations) {
        this.requests = requests;
        this.authorizations = authorizations;
        this.representations = representations;
    }

    /** RFC 8555 §7.5 (read) and §7.5.2 (deactivate). */
    @PostMapping(path = AcmeLinker.Paths.AUTHORIZATION)
    Map<String, Object> authorization(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        String status = AcmePayloads.requestedStatus(verified.payload());
        Authorization authorization = status == null ? authorizations.authorization(id, verified.account())
                : authorizations.deactivate(id, verified.account(), status);
        return representations.authorization(authorization, verified.linker());
    }

    /** RFC 8555 §7.5.1: the client says it is ready; the challenge answers valid or processing (see AcmeAuthorizations). */
    @PostMapping(path = AcmeLinker.Paths.CHALLENGE)
    ResponseEntity<Map<String, Object>> challenge(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        AcmeAuthorizations.ChallengeState state = authorizations.respond(id, verified.account(), verified.postAsGet());
        return ResponseEntity.ok().header("Link", "<" + verified.linker().authorization(state.authorization().id()) + ">;rel=\"up\"")
                .contentType(MediaType.APPLICATION_JSON).body(representations.challenge(state.challenge(), verified.linker()));
    }
}
