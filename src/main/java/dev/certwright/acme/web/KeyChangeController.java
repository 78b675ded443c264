package dev.certwright.acme.web;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.nimbusds.jose.jwk.JWK;

import dev.certwright.acme.application.AcmeAccountLifecycle;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/** RFC 8555 §7.3.5: an account's key rollover; the JWS checks are here, the use case is {@link AcmeAccountLifecycle}'s. */
@RestController
class KeyChangeController {

    private final AcmeRequests requests;
    private final AcmeAccountLifecycle accounts;
    private final AcmeRepresentations representations;

    KeyChangeController(AcmeRequests requests, AcmeAccountLifecycle accounts, AcmeRepresentations representations) {
        this.requests = requests;
        this.accounts = accounts;
        this.representations = representations;
    }

    /**
     * RFC 8555 §7.3.5 key rollover: the outer JWS is signed by the account's key; its payload is a JWS signed by the new
     * key (jwk), with the same url, no nonce, and a payload naming the account and the old key.
     */
    @PostMapping(path = AcmeLinker.Paths.KEY_CHANGE)
    ResponseEntity<Map<String, Object>> keyChange(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified outer = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        if (outer.payload() == null) {
            throw new AcmeException(AcmeProblem.malformed, "the key change payload must be the inner JWS");
        }
        AcmeLinker links = outer.linker();
        AcmeRequests.Verified inner = requests.verify(requests.parseFlattened(outer.payload()), links, links.keyChange(), AcmeRequests.Signer.JWK,
                false);
        JsonNode change = inner.payload();
        if (change == null || !links.account(outer.account().id()).equals(change.path("account").asString(""))) {
            throw new AcmeException(AcmeProblem.malformed, "the inner payload must name this account in 'account'");
        }
        JWK oldKey;
        try {
            oldKey = JWK.parse(change.path("oldKey").toString());
        } catch (java.text.ParseException e) {
            throw new AcmeException(AcmeProblem.malformed, "the inner payload's 'oldKey' is not a JWK");
        }
        AcmeAccountLifecycle.KeyChange result = accounts.changeKey(outer.account(), AcmeRequests.thumbprint(oldKey),
                AcmeRequests.thumbprint(inner.jwk()), inner.jwk().toPublicJWK().toJSONString());
        if (result.holderId() != null) {
            // RFC 8555 §7.3.5: the new key belongs to an account already: 409 with its URL.
            return ResponseEntity.status(HttpStatus.CONFLICT).header("Location", links.account(result.holderId()))
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(Map.of("type", AcmeProblem.malformed.urn(), "detail",
                            "the new key is already used by an account", "status", 409));
        }
        return representations.account(HttpStatus.OK, result.changed(), links);
    }
}
