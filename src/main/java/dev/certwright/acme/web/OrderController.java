package dev.certwright.acme.web;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.AcmeRenewalInfo;
import dev.certwright.acme.ExternalAccountKeys;
import dev.certwright.acme.domain.AriCertId;
import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.Authorization;
import dev.certwright.acme.domain.Challenge;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.domain.Order;
import dev.certwright.acme.domain.Status;
import dev.certwright.acme.store.OrderStore;
import dev.certwright.acme.store.RateLimitStore;
import dev.certwright.acme.validation.ChallengeValidation;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.issuance.CertificateRevocation;
import dev.certwright.issuance.CertificateIssuance;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.IssuanceRequest;
import dev.certwright.issuance.IssuedCertificate;
import dev.certwright.policy.IpLiteral;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.policy.NamePolicy;
import dev.certwright.policy.PolicyException;
import dev.certwright.policy.Profile;
import dev.certwright.x509.ClientErrorLog;
import dev.certwright.x509.CsrView;
import dev.certwright.x509.Pem;
import dev.certwright.x509.RevocationReason;
import dev.certwright.x509.X509Exception;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * RFC 8555 §7.4 to §7.6: orders, authorizations, challenges, finalization, certificate download and revocation. Every
 * resource is read with POST-as-GET (§6.3) and only by the account that owns it.
 */
@RestController
class OrderController {

    static final String PEM_CHAIN = "application/pem-certificate-chain";
    private static final Logger log = LoggerFactory.getLogger(OrderController.class);

    private final AcmeRequests requests;
    private final OrderStore orders;
    private final ChallengeValidation validation;
    private final IssuancePolicy policy;
    private final CertificateIssuance issuance;
    private final CertificateRevocation revocation;
    private final CertificateInventory inventory;
    private final AcmeProperties properties;
    private final AcmeRenewalInfo renewalInfo;
    private final ExternalAccountKeys eabKeys;
    private final JsonMapper json;
    private final Clock clock;
    private final SecureRandom random;
    private final RateLimitStore rateLimits;
    private final TransactionTemplate transactions;

    OrderController(AcmeRequests requests, OrderStore orders, ChallengeValidation validation, IssuancePolicy policy,
            CertificateIssuance issuance, CertificateRevocation revocation, CertificateInventory inventory, AcmeProperties properties,
            AcmeRenewalInfo renewalInfo, ExternalAccountKeys eabKeys, JsonMapper json, Clock clock, SecureRandom random,
            RateLimitStore rateLimits, TransactionTemplate transactions) {
        this.rateLimits = rateLimits;
        this.transactions = transactions;
        this.renewalInfo = renewalInfo;
        this.eabKeys = eabKeys;
        this.requests = requests;
        this.orders = orders;
        this.validation = validation;
        this.policy = policy;
        this.issuance = issuance;
        this.revocation = revocation;
        this.inventory = inventory;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.random = random;
    }

    /** RFC 8555 §7.4: newOrder, with draft-ietf-acme-profiles' {@code profile}. */
    @PostMapping(path = "/acme/new-order")
    ResponseEntity<Map<String, Object>> newOrder(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        JsonNode payload = verified.payload();
        if (payload == null || !payload.path("identifiers").isArray() || payload.get("identifiers").isEmpty()) {
            throw new AcmeException(AcmeProblem.malformed, "a new order needs a non-empty 'identifiers' array");
        }
        if (payload.get("identifiers").size() > IssuancePolicy.MAX_NAMES) {
            throw new AcmeException(AcmeProblem.rejectedIdentifier, "an order may name at most " + IssuancePolicy.MAX_NAMES + " identifiers");
        }
        if (payload.has("notBefore") || payload.has("notAfter")) {
            throw new AcmeException(AcmeProblem.malformed, "notBefore and notAfter are not supported: the profile sets the validity");
        }
        Profile profile = profile(payload.path("profile").asString(DirectoryController.DEFAULT_PROFILE));
        Set<Identifier> identifiers = new LinkedHashSet<>();
        for (JsonNode node : payload.get("identifiers")) {
            identifiers.add(identifier(node));
        }
        List<String> dns = identifiers.stream().filter(i -> Identifier.DNS.equals(i.type())).map(Identifier::value).toList();
        List<String> ips = identifiers.stream().filter(i -> Identifier.IP.equals(i.type())).map(Identifier::value).toList();
        checkBinding(verified.account(), profile, dns, ips);
        try {
            policy.checkIdentifiers(dns, ips);
        } catch (PolicyException e) {
            throw new AcmeException(AcmeProblem.rejectedIdentifier, e.getMessage());
        }
        Long replaces = payload.has("replaces") ? replaced(payload.get("replaces").asString(""), verified.account()) : null;
        checkRateLimits(verified.account(), identifiers);
        Instant expires = clock.instant().plus(properties.orderValidity()).truncatedTo(ChronoUnit.SECONDS);
        List<OrderStore.NewAuthorization> authorizations = new ArrayList<>();
        for (Identifier identifier : identifiers) {
            boolean wildcard = identifier.value().startsWith("*.");
            Identifier base = wildcard ? new Identifier(Identifier.DNS, identifier.value().substring(2)) : identifier;
            authorizations.add(new OrderStore.NewAuthorization(base, wildcard, Authorization.challengeTypes(base, wildcard).stream()
                    .map(type -> new OrderStore.NewChallenge(type, token())).toList()));
        }
        Order order = orders.create(verified.account().id(), List.copyOf(identifiers), profile.name(), expires, authorizations, replaces);
        log.info("ACME order {} of account {} for {}", order.id(), verified.account().id(), identifiers.stream().map(Identifier::value).toList());
        return ResponseEntity.status(HttpStatus.CREATED).header("Location", verified.linker().order(order.id()))
                .contentType(MediaType.APPLICATION_JSON).body(render(order, verified.linker()));
    }

    @PostMapping(path = "/acme/order/{id}")
    Map<String, Object> order(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        return render(ownedOrder(id, verified.account()), verified.linker());
    }

    /** RFC 8555 §7.4: finalize with a CSR that names exactly the order's identifiers. */
    @PostMapping(path = "/acme/order/{id}/finalize")
    ResponseEntity<Map<String, Object>> finalizeOrder(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Order order = ownedOrder(id, verified.account());
        String status = order.statusGiven(orders.authorizations(id), clock.instant());
        if (!Status.READY.equals(status)) {
            throw new AcmeException(AcmeProblem.orderNotReady, "order " + id + " is " + status + ", not ready");
        }
        if (verified.payload() == null || !verified.payload().path("csr").isString()) {
            throw new AcmeException(AcmeProblem.malformed, "finalize needs a 'csr' (base64url DER)");
        }
        CsrView csr;
        try {
            csr = CsrView.parseDer(Base64.getUrlDecoder().decode(verified.payload().get("csr").asString()));
        } catch (IllegalArgumentException | X509Exception e) {
            ClientErrorLog.refused("acme-csr", e.getMessage());
            throw new AcmeException(AcmeProblem.badCSR, "the CSR cannot be used: " + e.getMessage());
        }
        Set<String> asked = new LinkedHashSet<>();
        csr.dnsNames().forEach(n -> asked.add(Identifier.DNS + ":" + n.toLowerCase(Locale.ROOT)));
        csr.ipAddresses().forEach(ip -> asked.add(Identifier.IP + ":" + IpLiteral.parse(ip).getHostAddress()));
        if (csr.commonName() != null) {
            asked.add(IpLiteral.isLiteral(csr.commonName()) ? Identifier.IP + ":" + IpLiteral.parse(csr.commonName()).getHostAddress()
                    : Identifier.DNS + ":" + csr.commonName().toLowerCase(Locale.ROOT));
        }
        Set<String> ordered = new LinkedHashSet<>();
        order.identifiers().forEach(i -> ordered.add(i.type() + ":" + (Identifier.IP.equals(i.type()) ? IpLiteral.parse(i.value()).getHostAddress()
                : i.value())));
        if (!asked.equals(ordered)) {
            // RFC 8555 §7.4: the CSR must name exactly what the order names.
            throw new AcmeException(AcmeProblem.badCSR, "the CSR names " + asked + " but the order names " + ordered);
        }
        if (!orders.transition(id, Status.PENDING, Status.PROCESSING)) {
            throw new AcmeException(AcmeProblem.orderNotReady, "order " + id + " is already being finalized");
        }
        Account account = verified.account();
        try {
            IssuedCertificate issued = issuance.issue(new IssuanceRequest(order.profile(), csr.commonName(), csr.dnsNames(), csr.ipAddresses(),
                    csr.publicKey(), null, null, account.owner(), List.of("acme"), CertificateSource.ACME, null, order.replacesCertificateId(),
                    "acme-account:" + account.id()));
            orders.completed(id, issued.certificateId());
        } catch (PolicyException e) {
            orders.transition(id, Status.PROCESSING, Status.PENDING); // the order may be finalized again with a better CSR
            // RFC 8555 §6.7: badCSR is "the CSR is unacceptable (e.g., due to a short key)"; badPublicKey is about JWS keys.
            throw new AcmeException(AcmeProblem.badCSR, e.getMessage());
        } catch (IssuanceException e) {
            orders.failed(id, problemJson(AcmeProblem.serverInternal, "the certificate could not be issued"));
            throw new AcmeException(AcmeProblem.serverInternal, "the certificate could not be issued: " + e.getMessage());
        }
        return ResponseEntity.ok().header("Location", verified.linker().order(id)).contentType(MediaType.APPLICATION_JSON)
                .body(render(orders.findOrder(id).orElseThrow(), verified.linker()));
    }

    /** RFC 8555 §7.5 (read) and §7.5.2 (deactivate). */
    @PostMapping(path = "/acme/authz/{id}")
    Map<String, Object> authorization(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Authorization authorization = ownedAuthorization(id, verified.account());
        if (verified.payload() != null && verified.payload().has("status")) {
            if (!Status.DEACTIVATED.equals(verified.payload().get("status").asString(""))) {
                throw new AcmeException(AcmeProblem.malformed, "an authorization's status can only be set to deactivated");
            }
            if (!orders.setAuthorizationStatus(id, Status.PENDING, Status.DEACTIVATED)
                    && !orders.setAuthorizationStatus(id, Status.VALID, Status.DEACTIVATED)) {
                throw new AcmeException(AcmeProblem.malformed, "authorization " + id + " is " + authorization.status());
            }
            authorization = orders.findAuthorization(id).orElseThrow();
        }
        return render(authorization, verified.linker());
    }

    /**
     * RFC 8555 §7.5.1: the client says it is ready: validation starts off the request thread, and the answer waits at
     * most {@code certwright.acme.challenge-answer-wait} for its first attempt, so that a validation that takes a few
     * milliseconds is answered {@code valid} and the client's first poll of the authorization finds it done; a slower or
     * failing one is answered {@code processing} and goes on (retries included) after the answer.
     */
    @PostMapping(path = "/acme/chall/{id}")
    ResponseEntity<Map<String, Object>> challenge(@PathVariable long id, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Challenge challenge = orders.findChallenge(id).orElseThrow(() -> notFound("challenge", id));
        Authorization authorization = ownedAuthorization(challenge.authorizationId(), verified.account());
        if (!verified.postAsGet() && Status.PENDING.equals(challenge.status())) {
            if (!Status.PENDING.equals(authorization.statusAt(clock.instant()))) {
                throw new AcmeException(AcmeProblem.malformed, "authorization " + authorization.id() + " is " + authorization.statusAt(clock.instant()));
            }
            if (orders.startChallenge(id)) {
                awaitBriefly(validation.start(challenge, authorization, challenge.token() + "." + verified.account().thumbprint()));
            }
            challenge = orders.findChallenge(id).orElseThrow();
        }
        return ResponseEntity.ok().header("Link", "<" + verified.linker().authorization(authorization.id()) + ">;rel=\"up\"")
                .contentType(MediaType.APPLICATION_JSON).body(render(challenge, verified.linker()));
    }

    private void awaitBriefly(Future<Void> firstAttempt) {
        try {
            firstAttempt.get(properties.challengeAnswerWait().toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still validating: answered as processing
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** RFC 8555 §7.4.2: the certificate and its chain, PEM. */
    @PostMapping(path = "/acme/cert/{orderId}")
    ResponseEntity<String> certificate(@PathVariable long orderId, HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.ACCOUNT);
        Order order = ownedOrder(orderId, verified.account());
        if (order.certificateId() == null) {
            throw notFound("certificate of order", orderId);
        }
        CertificateRecord record = inventory.find(order.certificateId()).orElseThrow();
        if (record.der() == null) { // purged by retention, long after it expired
            throw notFound("certificate of order", orderId);
        }
        String pem = Pem.encode(Pem.CERTIFICATE, record.der()) + (record.chainPem() == null ? "" : record.chainPem());
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(PEM_CHAIN)).body(pem);
    }

    /**
     * RFC 8555 §7.6: revokeCert, signed by the account that ordered the certificate (kid) or by the certificate's own
     * key (jwk). The revocation reaches OCSP at once and the CRLs within the publish delay.
     */
    @PostMapping(path = "/acme/revoke-cert")
    ResponseEntity<Void> revokeCert(HttpServletRequest request, @RequestBody byte[] body) {
        AcmeRequests.Verified verified = requests.verify(request, body, AcmeRequests.Signer.EITHER);
        JsonNode payload = verified.payload();
        if (payload == null || !payload.path("certificate").isString()) {
            throw new AcmeException(AcmeProblem.malformed, "revokeCert needs a 'certificate' (base64url DER)");
        }
        X509Certificate certificate;
        try {
            certificate = Pem.certificate(Base64.getUrlDecoder().decode(payload.get("certificate").asString()));
        } catch (IllegalArgumentException | X509Exception e) {
            throw new AcmeException(AcmeProblem.malformed, "'certificate' is not a DER certificate");
        }
        RevocationReason reason = RevocationReason.unspecified;
        if (payload.has("reason")) {
            int code = payload.get("reason").asInt(-1);
            reason = java.util.Arrays.stream(RevocationReason.values()).filter(r -> r.code() == code && r != RevocationReason.removeFromCRL)
                    .findFirst().orElseThrow(() -> new AcmeException(AcmeProblem.badRevocationReason, "reason " + payload.get("reason")
                            + " is not a reason one revokes for"));
        }
        String issuerDn = certificate.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
        dev.certwright.x509.SerialNumber serial;
        try {
            serial = new dev.certwright.x509.SerialNumber(certificate.getSerialNumber());
        } catch (X509Exception e) {
            throw new AcmeException(AcmeProblem.malformed, "this certificate was not issued by this CA"); // we issue positive serials only
        }
        CertificateRecord record = inventory.findByIssuerAndSerial(issuerDn, serial)
                .filter(r -> r.source() != CertificateSource.IMPORTED && r.der() != null
                        && java.util.Arrays.equals(r.der(), encoded(certificate)))
                .orElseThrow(() -> new AcmeException(AcmeProblem.malformed, "this certificate was not issued by this CA"));
        if (verified.account() != null) {
            boolean owns = orders.findByCertificate(record.id()).map(o -> o.accountId() == verified.account().id()).orElse(false);
            if (!owns) {
                throw new AcmeException(AcmeProblem.unauthorized, "this account did not order this certificate");
            }
        } else if (!java.util.Arrays.equals(AcmeRequests.publicKey(verified.jwk()).getEncoded(), certificate.getPublicKey().getEncoded())) {
            throw new AcmeException(AcmeProblem.unauthorized, "the request is signed neither by the ordering account nor by the certificate's key");
        }
        try {
            revocation.revoke(record.id(), reason, verified.account() != null ? "acme-account:" + verified.account().id() : "acme-certificate-key");
        } catch (IssuanceException e) {
            if (e.type() == IssuanceException.Type.CONFLICT) {
                throw new AcmeException(AcmeProblem.alreadyRevoked, e.getMessage());
            }
            throw new AcmeException(AcmeProblem.unauthorized, e.getMessage());
        }
        return ResponseEntity.ok().build();
    }

    /**
     * RFC 8555 §6.6 rate limits, per account and per identifier (a wildcard counts as its base name), each a GCRA bucket
     * shared by all nodes: {@code orders-per-account} per {@code orders-per-account-window}, and the same for
     * identifiers. A refusal is rateLimited with Retry-After (when the next order fits), and takes nothing from the
     * other buckets: all are taken in one transaction.
     */
    private void checkRateLimits(Account account, Set<Identifier> identifiers) {
        Instant now = clock.instant();
        transactions.executeWithoutResult(status -> {
            rateLimits.take("account:" + account.id(), properties.ordersPerAccount(), properties.ordersPerAccountWindow(), now)
                    .ifPresent(wait -> {
                        throw new AcmeException(AcmeProblem.rateLimited, "this account may create " + properties.ordersPerAccount()
                                + " orders per " + properties.ordersPerAccountWindow()).retryAfter(wait);
                    });
            // One bucket per base name, taken in name order so that concurrent transactions lock rows in one order.
            java.util.SortedMap<String, Identifier> bases = new java.util.TreeMap<>();
            identifiers.forEach(i -> bases.putIfAbsent(i.value().startsWith("*.") ? i.value().substring(2) : i.value(), i));
            for (Map.Entry<String, Identifier> base : bases.entrySet()) {
                String value = base.getKey();
                Identifier identifier = base.getValue();
                rateLimits.take("identifier:" + value, properties.ordersPerIdentifier(), properties.ordersPerIdentifierWindow(), now)
                        .ifPresent(wait -> {
                            throw new AcmeException(AcmeProblem.rateLimited, properties.ordersPerIdentifier() + " orders may name " + value
                                    + " per " + properties.ordersPerIdentifierWindow(), Map.of("subproblems", List.of(
                                            AcmeException.subproblem(AcmeProblem.rateLimited, "too many recent orders", identifier.type(), value))))
                                    .retryAfter(wait);
                        });
            }
        });
    }

    /** An account bound to an external key may order only what the key allows (names and profiles). */
    private void checkBinding(Account account, Profile profile, List<String> dns, List<String> ips) {
        if (account.eabKid() == null) {
            return;
        }
        ExternalAccountKeys.EabKey key = eabKeys.find(account.eabKid()).orElse(null);
        if (key == null || key.revokedAt() != null) {
            throw new AcmeException(AcmeProblem.unauthorized, "the external account key of this account was revoked");
        }
        if (!key.allowsProfile(profile.name())) {
            throw new AcmeException(AcmeProblem.unauthorized, "this account may order only profiles " + key.profiles());
        }
        for (String name : dns) {
            if (!key.allowsDnsName(name)) {
                throw new AcmeException(AcmeProblem.rejectedIdentifier, "this account may order only names matching " + key.dnsNames()
                        + ", not " + name, Map.of("subproblems", List.of(AcmeException.subproblem(AcmeProblem.rejectedIdentifier,
                                "not allowed for this account", Identifier.DNS, name))));
            }
        }
        if (!key.dnsNames().isEmpty() && !ips.isEmpty()) {
            throw new AcmeException(AcmeProblem.rejectedIdentifier, "this account may order only names matching " + key.dnsNames());
        }
    }

    /**
     * RFC 9773 §5: {@code replaces} names, by certID, a certificate this account ordered and that no other order has
     * replaced yet; the new certificate becomes its successor.
     */
    private Long replaced(String certId, Account account) {
        AriCertId id = AriCertId.parse(certId);
        if (id == null) {
            throw new AcmeException(AcmeProblem.malformed, "'replaces' is not a certificate identifier (RFC 9773 §4.1)");
        }
        CertificateRecord record = renewalInfo.find(id).orElseThrow(() -> new AcmeException(AcmeProblem.malformed,
                "'replaces' names no certificate issued here"));
        boolean owned = orders.findByCertificate(record.id()).map(o -> o.accountId() == account.id()).orElse(false);
        if (!owned) {
            throw new AcmeException(AcmeProblem.unauthorized, "'replaces' names a certificate this account did not order");
        }
        if (record.successorId() != null || orders.replacedBy(record.id()).isPresent()) {
            throw new AcmeException(AcmeProblem.alreadyReplaced, "certificate " + record.serial() + " has already been replaced");
        }
        return record.id();
    }

    // --- representations ---

    private Map<String, Object> render(Order order, AcmeLinker links) {
        List<Authorization> authorizations = orders.authorizations(order.id());
        Map<String, Object> out = new LinkedHashMap<>();
        String status = order.statusGiven(authorizations, clock.instant());
        out.put("status", status);
        out.put("expires", order.expires().toString());
        out.put("identifiers", order.identifiers().stream().map(i -> Map.of("type", i.type(), "value", i.value())).toList());
        out.put("profile", order.profile());
        out.put("authorizations", authorizations.stream().map(a -> links.authorization(a.id())).toList());
        out.put("finalize", links.finalize(order.id()));
        if (order.replacesCertificateId() != null) {
            inventory.find(order.replacesCertificateId()).filter(r -> r.der() != null).map(r -> AriCertId.of(r.der())).ifPresent(id -> out.put("replaces", id.toString()));
        }
        if (order.certificateId() != null) {
            out.put("certificate", links.certificate(order.id()));
        }
        if (Status.INVALID.equals(status)) {
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
                            "identifier", Map.of("type", a.identifier().type(), "value", a.identifier().value())));
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

    private Map<String, Object> render(Authorization authorization, AcmeLinker links) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("identifier", Map.of("type", authorization.identifier().type(), "value", authorization.identifier().value()));
        out.put("status", authorization.statusAt(clock.instant()));
        out.put("expires", authorization.expires().toString());
        out.put("challenges", orders.challenges(authorization.id()).stream().map(c -> render(c, links)).toList());
        if (authorization.wildcard()) {
            out.put("wildcard", true);
        }
        return out;
    }

    private Map<String, Object> render(Challenge challenge, AcmeLinker links) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", challenge.type());
        out.put("url", links.challenge(challenge.id()));
        out.put("status", challenge.status());
        out.put("token", challenge.token());
        if (challenge.validatedAt() != null) {
            out.put("validated", challenge.validatedAt().toString());
        }
        if (challenge.error() != null) {
            out.put("error", json.readTree(challenge.error()));
        }
        return out;
    }

    // --- helpers ---

    private Profile profile(String name) {
        try {
            Profile profile = policy.profile(name);
            if (profile.acme()) {
                return profile;
            }
        } catch (PolicyException e) {
            // answered below
        }
        throw new AcmeException(AcmeProblem.malformed, "profile '" + name + "' is not offered over ACME; see the directory's meta.profiles");
    }

    /** RFC 8555 §9.7.7 dns and RFC 8738 ip identifiers, normalised. */
    private static Identifier identifier(JsonNode node) {
        String type = node.path("type").asString("");
        String value = node.path("value").asString("");
        if (value.isEmpty()) {
            throw new AcmeException(AcmeProblem.malformed, "every identifier needs a 'value'");
        }
        if (Identifier.DNS.equals(type)) {
            try {
                return new Identifier(type, NamePolicy.normaliseDnsName(value));
            } catch (PolicyException e) {
                throw new AcmeException(AcmeProblem.rejectedIdentifier, e.getMessage());
            }
        }
        if (Identifier.IP.equals(type)) {
            if (!IpLiteral.isLiteral(value)) {
                throw new AcmeException(AcmeProblem.malformed, "'" + value + "' is not an IP address");
            }
            return new Identifier(type, IpLiteral.parse(value).getHostAddress());
        }
        throw new AcmeException(AcmeProblem.unsupportedIdentifier, "identifier type '" + type + "' is not supported; use dns or ip");
    }

    private Order ownedOrder(long id, Account account) {
        Order order = orders.findOrder(id).orElseThrow(() -> notFound("order", id));
        if (order.accountId() != account.id()) {
            throw new AcmeException(AcmeProblem.unauthorized, "order " + id + " belongs to another account");
        }
        return order;
    }

    private Authorization ownedAuthorization(long id, Account account) {
        Authorization authorization = orders.findAuthorization(id).orElseThrow(() -> notFound("authorization", id));
        ownedOrder(authorization.orderId(), account);
        return authorization;
    }

    private static AcmeException notFound(String what, long id) {
        return new AcmeException(AcmeProblem.malformed, "no " + what + " " + id);
    }

    private String token() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private String problemJson(AcmeProblem problem, String detail) {
        return json.writeValueAsString(Map.of("type", problem.urn(), "detail", detail, "status", problem.status().value()));
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new AcmeException(AcmeProblem.malformed, "the certificate cannot be encoded");
        }
    }
}
