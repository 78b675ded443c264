package dev.certwright.acme.web;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;

import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.AriCertId;
import dev.certwright.acme.domain.Authorization;
import dev.certwright.acme.domain.Challenge;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.domain.Order;
import dev.certwright.acme.domain.OrderStatus;
import dev.certwright.acme.store.OrderStore;
import dev.certwright.inventory.CertificateInventory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The JSON of the ACME resources (RFC 8555 §7.1.2 to §7.1.5), with statuses and types in their RFC text. */
@Component
class AcmeRepresentations {

    private final OrderStore orders;
    private final CertificateInventory inventory;
    private final JsonMapper json;
    private final Clock clock;

    AcmeRepresentations(OrderStore orders, CertificateInventory inventory, JsonMapper json, Clock clock) {
        this.orders = orders;
        this.inventory = inventory;
        this.json = json;
        this.clock = clock;
    }

    /** RFC 8555 §7.1.2: the account, answered with its URL in Location. */
    ResponseEntity<Map<String, Object>> account(HttpStatus status, Account account, AcmeLinker links) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", account.status().text());
        body.put("contact", account.contact());
        body.put("orders", links.orders(account.id()));
        body.put("createdAt", account.createdAt().toString());
        if (account.eabKid() != null) {
            // RFC 8555 §7.1.2: the account was bound to an external account; the key id names it (the MAC is not kept).
            body.put("externalAccountBinding", Map.of("kid", account.eabKid()));
        }
        return ResponseEntity.status(status).header("Location", links.account(account.id())).contentType(MediaType.APPLICATION_JSON).body(body);
    }

    /** RFC 8555 §7.1.3: the order, with its status as of now. */
    Map<String, Object> order(Order order, AcmeLinker links) {
        List<Authorization> authorizations = orders.authorizations(order.id());
        Map<String, Object> out = new LinkedHashMap<>();
        OrderStatus status = order.statusGiven(authorizations, clock.instant());
        out.put("status", status.text());
        out.put("expires", order.expires().toString());
        out.put("identifiers", order.identifiers().stream().map(AcmeRepresentations::identifier).toList());
        out.put("profile", order.profile());
        out.put("authorizations", authorizations.stream().map(a -> links.authorization(a.id())).toList());
        out.put("finalize", links.finalize(order.id()));
        if (order.replacesCertificateId() != null) {
            inventory.find(order.replacesCertificateId()).filter(r -> r.der() != null).map(r -> AriCertId.of(r.der()))
                    .ifPresent(id -> out.put("replaces", id.toString()));
        }
        if (order.certificateId() != null) {
            out.put("certificate", links.certificate(order.id()));
        }
        if (status == OrderStatus.INVALID) {
            out.put("error", orderError(order, authorizations));
        }
        return out;
    }

    /** RFC 8555 §7.1.3 and §6.7.1: why an order is invalid, with a subproblem per failed identifier. */
    private Object orderError(Order order, List<Authorization> authorizations) {
        if (order.error() != null) {
            return json.readTree(order.error());
        }
        List<Map<String, Object>> subproblems = new ArrayList<>();
        for (Authorization a : authorizations) {
            for (Challenge c : orders.challenges(a.id())) {
                if (c.error() != null) {
                    JsonNode problem = json.readTree(c.error());
                    subproblems.add(Map.of("type", problem.path("type").asString(), "detail", problem.path("detail").asString(),
                            "identifier", identifier(a.identifier())));
                }
            }
        }
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("type", subproblems.isEmpty() ? AcmeProblem.malformed.urn() : subproblems.get(0).get("type"));
        error.put("detail", subproblems.isEmpty() ? "the order expired or an authorization was deactivated" : "an authorization failed");
        if (!subproblems.isEmpty()) {
            error.put("subproblems", subproblems);
        }
        return error;
    }

    /** RFC 8555 §7.1.4: the authorization with its challenges. */
    Map<String, Object> authorization(Authorization authorization, AcmeLinker links) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("identifier", identifier(authorization.identifier()));
        out.put("status", authorization.statusAt(clock.instant()).text());
        out.put("expires", authorization.expires().toString());
        out.put("challenges", orders.challenges(authorization.id()).stream().map(c -> challenge(c, links)).toList());
        if (authorization.wildcard()) {
            out.put("wildcard", true);
        }
        return out;
    }

    /** RFC 8555 §7.1.5 and §8: the challenge, with the problem of its failed validation. */
    Map<String, Object> challenge(Challenge challenge, AcmeLinker links) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", challenge.type().text());
        out.put("url", links.challenge(challenge.id()));
        out.put("status", challenge.status().text());
        out.put("token", challenge.token());
        if (challenge.validatedAt() != null) {
            out.put("validated", challenge.validatedAt().toString());
        }
        if (challenge.error() != null) {
            out.put("error", json.readTree(challenge.error()));
        }
        return out;
    }

    private static Map<String, Object> identifier(Identifier identifier) {
        return Map.of("type", identifier.type().text(), "value", identifier.value());
    }
}
