package dev.certwright.acme.web;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.jwk.JWK;

import dev.certwright.acme.domain.Account;
import dev.certwright.acme.store.AccountStore;
import dev.certwright.acme.store.OrderStore;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;

/** RFC 8555 §7.3: accounts: create or find (newAccount), read and update, deactivate, list orders, change key. */
@RestController
class AccountController {

    /** RFC 8555 §7.3: contact URLs; we accept mailto: with one plain address (RFC 6068, no hfields). */
    static final Pattern MAILTO = Pattern.compile("mailto:[^@\\s?,]{1,64}@[A-Za-z0-9.-]{1,253}");

    private final AcmeRequests requests;
    private final AccountStore accounts;
    private final OrderStore orders;

    AccountController(AcmeRequests requests, AccountStore accounts, OrderStore orders) {
        this.requests = requests;
        this.accounts = accounts;
        this.orders = orders;
    }

    @PostMapping(path = "/acme/new-account")
    ResponseEntity<Map<String, Object>> newAccount(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.JWK);
        JsonNode payload = verified.payload() == null ? tools.jackson.databind.node.JsonNodeFactory.instance.objectNode() : verified.payload();
        String thumbprint = AcmeRequests.thumbprint(verified.jwk());
        var existing = accounts.findByThumbprint(thumbprint);
        if (existing.isPresent()) {
            // RFC 8555 §7.3.1: the account of this key exists: 200 with its URL.
            return respond(HttpStatus.OK, existing.get(), verified.linker());
        }
        if (payload.path("onlyReturnExisting").asBoolean(false)) {
            throw new AcmeException(AcmeProblem.accountDoesNotExist, "no account exists for this key");
        }
        if (payload.has("externalAccountBinding")) {
            throw new AcmeException(AcmeProblem.malformed, "this server does not use external account binding");
        }
        List<String> contact = contact(payload);
        Account created = accounts.create(thumbprint, verified.jwk().toPublicJWK().toJSONString(), contact, null, null)
                .orElseGet(() -> accounts.findByThumbprint(thumbprint).orElseThrow());
        return respond(HttpStatus.CREATED, created, verified.linker());
    }

    /** RFC 8555 §7.3.2 and §7.3.6: read (POST-as-GET), update the contact, or deactivate. */
    @PostMapping(path = "/acme/acct/{id}")
    ResponseEntity<Map<String, Object>> account(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Account account = verified.account();
        if (account.id() != id) {
            throw new AcmeException(AcmeProblem.unauthorized, "the request is signed by another account");
        }
        JsonNode payload = verified.payload();
        if (payload != null) {
            if (payload.has("contact")) {
                accounts.updateContact(id, contact(payload));
            }
            if (payload.has("status")) {
                if (!"deactivated".equals(payload.get("status").asString(""))) {
                    throw new AcmeException(AcmeProblem.malformed, "an account's status can only be set to deactivated");
                }
                accounts.deactivate(id);
            }
            account = accounts.find(id).orElseThrow();
        }
        return respond(HttpStatus.OK, account, verified.linker());
    }

    /** RFC 8555 §7.1.2.1: the account's orders (the most recent thousand). */
    @PostMapping(path = "/acme/acct/{id}/orders")
    Map<String, Object> orders(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        if (verified.account().id() != id) {
            throw new AcmeException(AcmeProblem.unauthorized, "the request is signed by another account");
        }
        return Map.of("orders", orders.orderIds(id, 1000).stream().map(verified.linker()::order).toList());
    }

    /**
     * RFC 8555 §7.3.5 key rollover: the outer JWS is signed by the account's key; its payload is a JWS signed by the new
     * key (jwk), with the same url, no nonce, and a payload naming the account and the old key.
     */
    @PostMapping(path = "/acme/key-change")
    ResponseEntity<Map<String, Object>> keyChange(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified outer = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        if (outer.payload() == null) {
            throw new AcmeException(AcmeProblem.malformed, "the key change payload must be the inner JWS");
        }
        JWSObject innerJws = requests.parseFlattened(outer.payload());
        AcmeRequests.Verified inner = requests.verify(innerJws, outer.linker(), outer.linker().keyChange(), AcmeRequests.Signer.JWK, false);
        JsonNode change = inner.payload();
        if (change == null || !outer.linker().account(outer.account().id()).equals(change.path("account").asString(""))) {
            throw new AcmeException(AcmeProblem.malformed, "the inner payload must name this account in 'account'");
        }
        JWK oldKey;
        try {
            oldKey = JWK.parse(change.path("oldKey").toString());
        } catch (java.text.ParseException e) {
            throw new AcmeException(AcmeProblem.malformed, "the inner payload's 'oldKey' is not a JWK");
        }
        if (!AcmeRequests.thumbprint(oldKey).equals(outer.account().thumbprint())) {
            throw new AcmeException(AcmeProblem.malformed, "'oldKey' is not the account's current key");
        }
        String newThumbprint = AcmeRequests.thumbprint(inner.jwk());
        var holder = accounts.findByThumbprint(newThumbprint);
        if (holder.isPresent()) {
            // RFC 8555 §7.3.5: the new key belongs to an account already: 409 with its URL.
            return ResponseEntity.status(HttpStatus.CONFLICT).header("Location", outer.linker().account(holder.get().id()))
                    .contentType(MediaType.APPLICATION_PROBLEM_JSON).body(Map.of("type", AcmeProblem.malformed.urn(), "detail",
                            "the new key is already used by an account", "status", 409));
        }
        if (!accounts.changeKey(outer.account().id(), newThumbprint, inner.jwk().toPublicJWK().toJSONString())) {
            throw new AcmeException(AcmeProblem.malformed, "the new key is already used by an account");
        }
        return respond(HttpStatus.OK, accounts.find(outer.account().id()).orElseThrow(), outer.linker());
    }

    private static List<String> contact(JsonNode payload) {
        List<String> contact = new ArrayList<>();
        JsonNode node = payload.path("contact");
        if (node.isMissingNode() || node.isNull()) {
            return contact;
        }
        if (!node.isArray() || node.size() > 10) {
            throw new AcmeException(AcmeProblem.malformed, "'contact' must be an array of at most 10 URLs");
        }
        for (JsonNode entry : node) {
            String url = entry.asString("");
            if (!url.startsWith("mailto:")) {
                throw new AcmeException(AcmeProblem.unsupportedContact, "only mailto: contacts are supported, not '" + shorten(url) + "'");
            }
            if (!MAILTO.matcher(url).matches()) {
                throw new AcmeException(AcmeProblem.invalidContact, "'" + shorten(url) + "' is not a mailto: URL with one address");
            }
            contact.add(url);
        }
        return contact;
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }

    static ResponseEntity<Map<String, Object>> respond(HttpStatus status, Account account, AcmeLinker links) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", account.status());
        body.put("contact", account.contact());
        body.put("orders", links.orders(account.id()));
        body.put("createdAt", account.createdAt().toString());
        return ResponseEntity.status(status).header("Location", links.account(account.id())).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
