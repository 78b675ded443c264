package dev.certwright.acme.web;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.ExternalAccountKeys;
import dev.certwright.acme.application.AcmeAccountLifecycle;
import dev.certwright.acme.application.AcmeOrders;
import dev.certwright.acme.domain.Account;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * RFC 8555 §7.3: accounts: create or find (newAccount), read and update, deactivate, list orders (key rollover is
 * {@link KeyChangeController}'s); the use cases are {@link AcmeAccountLifecycle}'.
 */
@RestController
class AccountController {

    private final AcmeRequests requests;
    private final AcmeAccountLifecycle accounts;
    private final AcmeOrders orders;
    private final AcmeRepresentations representations;

    AccountController(AcmeRequests requests, AcmeAccountLifecycle accounts, AcmeOrders orders, AcmeRepresentations representations) {
        this.requests = requests;
        this.accounts = accounts;
        this.orders = orders;
        this.representations = representations;
    }

    @PostMapping(path = AcmeLinker.Paths.NEW_ACCOUNT)
    ResponseEntity<Map<String, Object>> newAccount(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.JWK);
        JsonNode payload = verified.payload() == null ? JsonNodeFactory.instance.objectNode() : verified.payload();
        AcmePayloads.requireBooleanIfPresent(payload, "termsOfServiceAgreed");
        AcmePayloads.requireBooleanIfPresent(payload, "onlyReturnExisting");
        String thumbprint = AcmeRequests.thumbprint(verified.jwk());
        Optional<Account> existing = accounts.existing(thumbprint, payload.path("onlyReturnExisting").asBoolean(false));
        if (existing.isPresent()) {
            // RFC 8555 §7.3.1: the account of this key exists: 200 with its URL.
            return representations.account(HttpStatus.OK, existing.get(), verified.linker());
        }
        ExternalAccountKeys.EabKey binding = accounts.externalBinding(payload.has("externalAccountBinding")
                ? requests.parseFlattened(payload.get("externalAccountBinding")) : null, verified.linker().newAccount(), thumbprint);
        List<String> contact = AcmePayloads.contact(payload);
        Account created = accounts.create(thumbprint, verified.jwk().toPublicJWK().toJSONString(), contact, binding);
        return representations.account(HttpStatus.CREATED, created, verified.linker());
    }

    /** RFC 8555 §7.3.2 and §7.3.6: read (POST-as-GET), update the contact, or deactivate. */
    @PostMapping(path = AcmeLinker.Paths.ACCOUNT)
    ResponseEntity<Map<String, Object>> account(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = signedBy(id, requests.verify(request, body, AcmeRequests.Signer.ACCOUNT));
        Account account = verified.account();
        JsonNode payload = verified.payload();
        if (payload != null) {
            boolean deactivate = AcmePayloads.accountDeactivation(payload);
            account = accounts.update(account, payload.has("contact") ? AcmePayloads.contact(payload) : null, deactivate);
        }
        return representations.account(HttpStatus.OK, account, verified.linker());
    }

    /** RFC 8555 §7.1.2.1: the account's orders (the most recent thousand). */
    @PostMapping(path = AcmeLinker.Paths.ACCOUNT_ORDERS)
    Map<String, Object> orders(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = signedBy(id, requests.verify(request, body, AcmeRequests.Signer.ACCOUNT));
        return Map.of("orders", orders.recentOrderIds(id).stream().map(verified.linker()::order).toList());
    }

    /** The request, if it is signed by the account it addresses. */
    private static AcmeRequests.Verified signedBy(long id, AcmeRequests.Verified verified) {
        if (verified.account().id() != id) {
            throw new AcmeException(AcmeProblem.unauthorized, "the request is signed by another account");
        }
        return verified;
    }
}
