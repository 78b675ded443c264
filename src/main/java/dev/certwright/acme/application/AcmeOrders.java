package dev.certwright.acme.application;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.acme.AcmeRenewalInfo;
import dev.certwright.acme.ExternalAccountKeys;
import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.AriCertId;
import dev.certwright.acme.domain.Authorization;
import dev.certwright.acme.domain.Identifier;
import dev.certwright.acme.domain.IdentifierType;
import dev.certwright.acme.domain.Order;
import dev.certwright.acme.domain.OrderStatus;
import dev.certwright.acme.store.OrderStore;
import dev.certwright.acme.web.AcmeException;
import dev.certwright.acme.web.AcmeProblem;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.issuance.CaHierarchy;
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
import dev.certwright.x509.X509Exception;
import tools.jackson.databind.json.JsonMapper;

/**
 * RFC 8555 §7.4: newOrder (with draft-ietf-acme-profiles' {@code profile} and RFC 9773's {@code replaces}), finalize,
 * and the certificate download (§7.4.2). Every order is read only by the account that owns it.
 */
@Service
public class AcmeOrders {

    private static final Logger log = LoggerFactory.getLogger(AcmeOrders.class);

    private final OrderStore orders;
    private final IssuancePolicy policy;
    private final CertificateIssuance issuance;
    private final CertificateInventory inventory;
    private final CaHierarchy hierarchy;
    private final AcmeProperties properties;
    private final AcmeRenewalInfo renewalInfo;
    private final ExternalAccountKeys eabKeys;
    private final OrderRateLimits rateLimits;
    private final JsonMapper json;
    private final Clock clock;
    private final SecureRandom random;

    AcmeOrders(OrderStore orders, IssuancePolicy policy, CertificateIssuance issuance, CertificateInventory inventory, CaHierarchy hierarchy,
            AcmeProperties properties,
            AcmeRenewalInfo renewalInfo, ExternalAccountKeys eabKeys, OrderRateLimits rateLimits, JsonMapper json, Clock clock,
            SecureRandom random) {
        this.orders = orders;
        this.policy = policy;
        this.issuance = issuance;
        this.inventory = inventory;
        this.hierarchy = hierarchy;
        this.properties = properties;
        this.renewalInfo = renewalInfo;
        this.eabKeys = eabKeys;
        this.rateLimits = rateLimits;
        this.json = json;
        this.clock = clock;
        this.random = random;
    }

    /** An identifier as the client wrote it, before it is normalised. */
    public record RequestedIdentifier(String type, String value) {
    }

    /** A newOrder payload: the profile's name, the identifiers, and the certID it replaces (null when none). */
    public record NewOrder(String profile, List<RequestedIdentifier> identifiers, String replaces) {
    }

    /**
     * Creates an order: the profile must be offered over ACME, the identifiers allowed by the account's external key
     * and by the policy, {@code replaces} a certificate of this account not yet replaced, and the rate limits not reached.
     */
    public Order newOrder(Account account, NewOrder request) {
        Profile profile = profile(request.profile());
        Set<Identifier> identifiers = new LinkedHashSet<>();
        for (RequestedIdentifier requested : request.identifiers()) {
            identifiers.add(identifier(requested));
        }
        List<String> dns = identifiers.stream().filter(i -> i.type() == IdentifierType.DNS).map(Identifier::value).toList();
        List<String> ips = identifiers.stream().filter(i -> i.type() == IdentifierType.IP).map(Identifier::value).toList();
        checkBinding(account, profile, dns, ips);
        try {
            policy.checkIdentifiers(dns, ips);
        } catch (PolicyException e) {
            throw new AcmeException(AcmeProblem.rejectedIdentifier, e.getMessage());
        }
        Long replaces = request.replaces() != null ? replaced(request.replaces(), account) : null;
        rateLimits.take(account, identifiers);
        Instant expires = clock.instant().plus(properties.orderValidity()).truncatedTo(ChronoUnit.SECONDS);
        List<OrderStore.NewAuthorization> authorizations = new ArrayList<>();
        for (Identifier identifier : identifiers) {
            boolean wildcard = identifier.wildcard();
            Identifier base = identifier.base();
            authorizations.add(new OrderStore.NewAuthorization(base, wildcard, Authorization.challengeTypes(base, wildcard).stream()
                    .map(type -> new OrderStore.NewChallenge(type, token())).toList()));
        }
        Order order = orders.create(account.id(), List.copyOf(identifiers), profile.name(), expires, authorizations, replaces);
        log.info("ACME order {} of account {} for {}", order.id(), account.id(), identifiers.stream().map(Identifier::value).toList());
        return order;
    }

    /** The order, if this account owns it. */
    public Order owned(long id, Account account) {
        Order order = orders.findOrder(id).orElseThrow(() -> notFound("order", id));
        if (!order.ownedBy(account)) {
            throw new AcmeException(AcmeProblem.unauthorized, "order " + id + " belongs to another account");
        }
        return order;
    }

    /** RFC 8555 §7.1.2.1: the ids of the account's orders, the most recent thousand, newest first. */
    public List<Long> recentOrderIds(long accountId) {
        return orders.orderIds(accountId, 1000);
    }

    /** The authorization, if this account owns its order. */
    public Authorization ownedAuthorization(long id, Account account) {
        Authorization authorization = orders.findAuthorization(id).orElseThrow(() -> notFound("authorization", id));
        owned(authorization.orderId(), account);
        return authorization;
    }

    /**
     * RFC 8555 §7.4: finalizes a ready order with a CSR (base64url DER; null when the payload has none) that names
     * exactly the order's identifiers; returns the order as it is afterwards.
     */
    public Order finalizeOrder(long id, Account account, String csrBase64url) {
        Order order = owned(id, account);
        List<Authorization> authorizations = orders.authorizations(id);
        Instant now = clock.instant();
        if (!order.readyToFinalize(authorizations, now)) {
            throw new AcmeException(AcmeProblem.orderNotReady, "order " + id + " is " + order.statusGiven(authorizations, now) + ", not ready");
        }
        if (csrBase64url == null) {
            throw new AcmeException(AcmeProblem.malformed, "finalize needs a 'csr' (base64url DER)");
        }
        CsrView csr;
        try {
            csr = CsrView.parseDer(Base64.getUrlDecoder().decode(csrBase64url));
        } catch (IllegalArgumentException | X509Exception e) {
            ClientErrorLog.refused("acme-csr", e.getMessage());
            throw new AcmeException(AcmeProblem.badCSR, "the CSR cannot be used: " + e.getMessage());
        }
        Set<Identifier> asked = Identifier.namedIn(csr);
        if (!order.namesExactly(asked)) {
            // RFC 8555 §7.4: the CSR must name exactly what the order names.
            throw new AcmeException(AcmeProblem.badCSR, "the CSR names " + lines(asked) + " but the order names " + lines(order.canonicalIdentifiers()));
        }
        if (!orders.transition(id, OrderStatus.PENDING, OrderStatus.PROCESSING)) {
            throw new AcmeException(AcmeProblem.orderNotReady, "order " + id + " is already being finalized");
        }
        try {
            IssuedCertificate issued = issuance.issue(IssuanceRequest.forCsr(order.profile(), csr, null, account.owner(), List.of("acme"),
                    CertificateSource.ACME, account.actor()).replacing(order.replacesCertificateId()));
            orders.completed(id, issued.certificateId());
        } catch (PolicyException e) {
            orders.transition(id, OrderStatus.PROCESSING, OrderStatus.PENDING); // the order may be finalized again with a better CSR
            // RFC 8555 §6.7: badCSR is "the CSR is unacceptable (e.g., due to a short key)"; badPublicKey is about JWS keys.
            throw new AcmeException(AcmeProblem.badCSR, e.getMessage());
        } catch (IssuanceException e) {
            orders.failed(id, problemJson(AcmeProblem.serverInternal, "the certificate could not be issued"));
            throw new AcmeException(AcmeProblem.serverInternal, "the certificate could not be issued: " + e.getMessage());
        }
        return orders.findOrder(id).orElseThrow();
    }

    /**
     * RFC 8555 §7.4.2: the certificate of a valid order with each chain it can be served with, PEM: first the chain it
     * was issued with (its issuers up to the root, root left out), then one alternate per cross-certificate that the
     * root of that chain got from the root it replaced, which ends that chain instead, so that a client trusting only
     * the old root still validates it (RFC 5280 §3.2). Every chain starts with the same end-entity certificate.
     */
    public List<String> certificateChains(long orderId, Account account) {
        Order order = owned(orderId, account);
        if (order.certificateId() == null) {
            throw notFound("certificate of order", orderId);
        }
        CertificateRecord record = inventory.find(order.certificateId()).orElseThrow();
        if (record.der() == null) { // purged by retention, long after it expired
            throw notFound("certificate of order", orderId);
        }
        String chain = Pem.encode(Pem.CERTIFICATE, record.der()) + (record.chainPem() == null ? "" : record.chainPem());
        List<String> chains = new ArrayList<>();
        chains.add(chain);
        if (record.issuerName() != null) {
            hierarchy.crossCertificates(record.issuerName()).forEach(cross -> chains.add(chain + Pem.encode(cross)));
        }
        return chains;
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
                                "not allowed for this account", IdentifierType.DNS.text(), name))));
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
        boolean owned = orders.findByCertificate(record.id()).map(o -> o.ownedBy(account)).orElse(false);
        if (!owned) {
            throw new AcmeException(AcmeProblem.unauthorized, "'replaces' names a certificate this account did not order");
        }
        if (record.successorId() != null || orders.replacedBy(record.id()).isPresent()) {
            throw new AcmeException(AcmeProblem.alreadyReplaced, "certificate " + record.serial() + " has already been replaced");
        }
        return record.id();
    }

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
    private static Identifier identifier(RequestedIdentifier requested) {
        String type = requested.type();
        String value = requested.value();
        if (value.isEmpty()) {
            throw new AcmeException(AcmeProblem.malformed, "every identifier needs a 'value'");
        }
        if (IdentifierType.DNS.text().equals(type)) {
            try {
                return new Identifier(IdentifierType.DNS, NamePolicy.normaliseDnsName(value));
            } catch (PolicyException e) {
                throw new AcmeException(AcmeProblem.rejectedIdentifier, e.getMessage());
            }
        }
        if (IdentifierType.IP.text().equals(type)) {
            if (!IpLiteral.isLiteral(value)) {
                throw new AcmeException(AcmeProblem.malformed, "'" + value + "' is not an IP address");
            }
            return new Identifier(IdentifierType.IP, IpLiteral.parse(value).getHostAddress());
        }
        throw new AcmeException(AcmeProblem.unsupportedIdentifier, "identifier type '" + type + "' is not supported; use dns or ip");
    }

    /** Identifiers as the problem detail has always listed them: {@code [dns:a.test, ip:192.0.2.1]}. */
    private static List<String> lines(Set<Identifier> identifiers) {
        return identifiers.stream().map(Identifier::line).toList();
    }

    static AcmeException notFound(String what, long id) {
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
}
