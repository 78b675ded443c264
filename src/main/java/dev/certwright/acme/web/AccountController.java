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
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.RestController;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.JWK;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.ExternalAccountKeys;
import dev.certwright.acme.domain.Account;
import dev.certwright.acme.store.AccountStore;
import dev.certwright.acme.store.OrderStore;
import dev.certwright.audit.AuditLog;
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
    private final ExternalAccountKeys eabKeys;
    private final AcmeProperties properties;
    private final TransactionTemplate transactions;
    private final AuditLog audit;

    AccountController(AcmeRequests requests, AccountStore accounts, OrderStore orders, ExternalAccountKeys eabKeys, AcmeProperties properties,
            TransactionTemplate transactions, AuditLog audit) {
        this.audit = audit;
        this.requests = requests;
        this.accounts = accounts;
        this.orders = orders;
        this.eabKeys = eabKeys;
        this.properties = properties;
        this.transactions = transactions;
    }

    @PostMapping(path = "/acme/new-account")
    ResponseEntity<Map<String, Object>> newAccount(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.JWK);
        JsonNode payload = verified.payload() == null ? tools.jackson.databind.node.JsonNodeFactory.instance.objectNode() : verified.payload();
        // RFC 8555 §7.3: termsOfServiceAgreed and onlyReturnExisting are booleans. A string such as "yes" is not an
        // agreement (asBoolean would read it as false and go on), so it is malformed before anything is created.
        requireBooleanIfPresent(payload, "termsOfServiceAgreed");
        requireBooleanIfPresent(payload, "onlyReturnExisting");
        String thumbprint = AcmeRequests.thumbprint(verified.jwk());
        var existing = accounts.findByThumbprint(thumbprint);
        if (existing.isPresent()) {
            // RFC 8555 §7.3.1: the account of this key exists: 200 with its URL.
            return respond(HttpStatus.OK, existing.get(), verified.linker());
        }
        if (payload.path("onlyReturnExisting").asBoolean(false)) {
            throw new AcmeException(AcmeProblem.accountDoesNotExist, "no account exists for this key");
        }
        ExternalAccountKeys.EabKey binding = null;
        if (payload.has("externalAccountBinding")) {
            binding = externalBinding(payload.get("externalAccountBinding"), verified);
        } else if (properties.externalAccountRequired()) {
            throw new AcmeException(AcmeProblem.externalAccountRequired, "this server requires an external account binding; ask an admin for a key");
        }
        List<String> contact = contact(payload);
        String jwk = verified.jwk().toPublicJWK().toJSONString();
        ExternalAccountKeys.EabKey eab = binding;
        Account created = transactions.execute(tx -> {
            Account account = accounts.create(thumbprint, jwk, contact, eab == null ? null : eab.owner(), eab == null ? null : eab.kid())
                    .orElseThrow(() -> new AcmeException(AcmeProblem.malformed, "an account for this key was created at the same moment; retry"));
            if (eab != null && !eabKeys.bind(eab.kid(), account.id())) {
                throw new AcmeException(AcmeProblem.unauthorized, "external account key " + eab.kid() + " is revoked or bound to another account");
            }
            audit.append(actor(account.id()), "acme.account.created", "acme-account", Long.toString(account.id()),
                    "thumbprint=" + thumbprint + " owner=" + account.owner() + (eab == null ? "" : " eabKid=" + eab.kid())
                            + " contacts=" + contact.size());
            return account;
        });
        return respond(HttpStatus.CREATED, created, verified.linker());
    }

    /**
     * RFC 8555 §7.3.4: the binding is a JWS by the external key (HS256, kid, the newAccount url, no nonce) whose payload is
     * the account's public key.
     */
    private ExternalAccountKeys.EabKey externalBinding(JsonNode node, AcmeRequests.Verified outer) {
        JWSObject jws = requests.parseFlattened(node);
        if (!JWSAlgorithm.HS256.equals(jws.getHeader().getAlgorithm())) {
            throw new AcmeException(AcmeProblem.badSignatureAlgorithm, "the external account binding must be signed with HS256",
                    Map.of("algorithms", List.of("HS256")));
        }
        if (jws.getHeader().getCustomParam("nonce") != null) {
            throw new AcmeException(AcmeProblem.malformed, "the external account binding must not carry a nonce");
        }
        if (!outer.linker().newAccount().equals(jws.getHeader().getCustomParam("url"))) {
            throw new AcmeException(AcmeProblem.unauthorized, "the external account binding must name " + outer.linker().newAccount());
        }
        String kid = jws.getHeader().getKeyID();
        ExternalAccountKeys.EabKey key = kid == null ? null : eabKeys.find(kid).orElse(null);
        if (key == null || key.revokedAt() != null || key.accountId() != null) {
            throw new AcmeException(AcmeProblem.unauthorized, "external account key '" + kid + "' is unknown, revoked or already bound");
        }
        try {
            if (!jws.verify(new MACVerifier(eabKeys.hmacKey(kid)))) {
                throw new AcmeException(AcmeProblem.unauthorized, "the external account binding's MAC does not verify");
            }
            JWK bound = JWK.parse(jws.getPayload().toString());
            if (!AcmeRequests.thumbprint(bound).equals(AcmeRequests.thumbprint(outer.jwk()))) {
                throw new AcmeException(AcmeProblem.malformed, "the external account binding binds another key");
            }
        } catch (com.nimbusds.jose.JOSEException | java.text.ParseException e) {
            throw new AcmeException(AcmeProblem.malformed, "the external account binding cannot be checked: " + e.getMessage());
        }
        return key;
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
            if (payload.has("status") && !"deactivated".equals(payload.get("status").asString(""))) {
                throw new AcmeException(AcmeProblem.malformed, "an account's status can only be set to deactivated");
            }
            List<String> contact = payload.has("contact") ? contact(payload) : null;
            boolean deactivate = payload.has("status");
            String wasStatus = account.status();
            account = transactions.execute(tx -> {
                if (contact != null) {
                    accounts.updateContact(id, contact);
                    audit.append(actor(id), "acme.account.contact-updated", "acme-account", Long.toString(id), "contacts=" + contact.size());
                }
                if (deactivate) {
                    accounts.deactivate(id);
                    // RFC 8555 §7.3.6: deactivation is final; audited once, when it happens.
                    if (!"deactivated".equals(wasStatus)) {
                        audit.append(actor(id), "acme.account.deactivated", "acme-account", Long.toString(id), "");
                    }
                }
                return accounts.find(id).orElseThrow();
            });
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
        long accountId = outer.account().id();
        String oldThumbprint = outer.account().thumbprint();
        transactions.executeWithoutResult(tx -> {
            if (!accounts.changeKey(accountId, newThumbprint, inner.jwk().toPublicJWK().toJSONString())) {
                throw new AcmeException(AcmeProblem.malformed, "the new key is already used by an account");
            }
            audit.append(actor(accountId), "acme.account.key-changed", "acme-account", Long.toString(accountId),
                    "oldThumbprint=" + oldThumbprint + " newThumbprint=" + newThumbprint);
        });
        return respond(HttpStatus.OK, accounts.find(outer.account().id()).orElseThrow(), outer.linker());
    }

    private static String actor(long accountId) {
        return "acme-account:" + accountId;
    }

    private static void requireBooleanIfPresent(JsonNode payload, String field) {
        if (payload.has(field) && !payload.get(field).isBoolean()) {
            throw new AcmeException(AcmeProblem.malformed, "'" + field + "' must be a boolean");
        }
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
        if (account.eabKid() != null) {
            // RFC 8555 §7.1.2: the account was bound to an external account; the key id names it (the MAC is not kept).
            body.put("externalAccountBinding", Map.of("kid", account.eabKid()));
        }
        return ResponseEntity.status(status).header("Location", links.account(account.id())).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
