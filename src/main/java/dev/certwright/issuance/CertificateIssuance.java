package dev.certwright.issuance;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.ca.CaException;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.CertificateTemplate;
import dev.certwright.ca.Issuer;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.InventoryException;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.inventory.PendingCertificate;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.policy.ApprovedRequest;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.Pem;
import dev.certwright.x509.SerialNumber;

/**
 * Issues certificates in the one order that keeps the books straight (architecture, flow 1):
 * <ol>
 * <li>check the request against the profile and the policy;</li>
 * <li>reserve a fresh random serial in a PENDING row and commit it;</li>
 * <li>sign;</li>
 * <li>mark the row ISSUED with its DER and chain, store a managed key, and publish {@link CertificateIssued} (which
 * the audit log records) in one transaction.</li>
 * </ol>
 * If signing fails the row becomes FAILED; the serial is never used again.
 */
@Service
@DependsOn("caBootstrap") // the CA must be open before anything is issued
public class CertificateIssuance {

    /** notBefore is set this far back, so that a relying party whose clock lags a little accepts a new certificate. */
    static final Duration BACKDATE = Duration.ofMinutes(1);
    private static final int SERIAL_ATTEMPTS = 3;
    private static final Logger log = LoggerFactory.getLogger(CertificateIssuance.class);

    private final IssuancePolicy policy;
    private final CertificateAuthority ca;
    private final CaHierarchy hierarchy;
    private final KeyWrapping keyWrapping;
    private final CertificateInventory inventory;
    private final ManagedCertificates managed;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    /** The reservation's own transaction: it commits before signing whatever the caller has open. */
    private final TransactionTemplate reservations;
    private final Clock clock;
    private final SecureRandom random;
    private final org.springframework.beans.factory.ObjectProvider<UpstreamCertificates> upstreams;

    CertificateIssuance(IssuancePolicy policy, CertificateAuthority ca, CaHierarchy hierarchy, KeyWrapping keyWrapping, CertificateInventory inventory, ManagedCertificates managed,
            ApplicationEventPublisher events, AuditLog audit, TransactionTemplate transactions, Clock clock, SecureRandom random,
            org.springframework.beans.factory.ObjectProvider<UpstreamCertificates> upstreams) {
        this.upstreams = upstreams;
        this.policy = policy;
        this.ca = ca;
        this.hierarchy = hierarchy;
        this.keyWrapping = keyWrapping;
        this.inventory = inventory;
        this.managed = managed;
        this.events = events;
        this.audit = audit;
        this.transactions = transactions;
        this.reservations = new TransactionTemplate(java.util.Objects.requireNonNull(transactions.getTransactionManager()));
        this.reservations.setPropagationBehavior(org.springframework.transaction.TransactionDefinition.PROPAGATION_REQUIRES_NEW);
        this.clock = clock;
        this.random = random;
    }

    /** Issues one certificate. Policy refusals throw {@code PolicyException} before anything is written. */
    public IssuedCertificate issue(IssuanceRequest request) {
        ApprovedRequest approved = policy.check(request.profile(), request.commonName(), request.dnsNames(), request.ipAddresses(),
                request.publicKey(), request.validity());
        if (approved.profile().upstream() != null) {
            // Decision 76: such a profile's certificates come from its upstream ACME CA, never from our issuers.
            return obtainUpstream(approved, request);
        }
        Issuer issuer = ca.issuer(hierarchy.issuingFor(approved.profile().issuer()));
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant notAfter = now.plus(approved.validity());
        Instant issuerNotBefore = issuer.certificate().getNotBefore().toInstant();
        Instant notBefore = now.minus(BACKDATE).isBefore(issuerNotBefore) ? issuerNotBefore : now.minus(BACKDATE);
        if (notAfter.isAfter(issuer.certificate().getNotAfter().toInstant())) {
            throw new IssuanceException(IssuanceException.Type.CA_REFUSED, "a certificate valid for " + approved.validity()
                    + " would outlive issuer " + issuer.name() + ", which expires " + issuer.certificate().getNotAfter().toInstant());
        }
        String issuerDn = issuer.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253);
        List<String> names = new java.util.ArrayList<>(approved.dnsNames());
        names.addAll(approved.ipAddresses());

        // Steps 2 to 4: reserve, sign, record.
        Signed signed = reserveSignRecord(issuer, request.actor(),
                serial -> new PendingCertificate(serial, issuerDn, issuer.name(), request.source(), approved.profile().name(),
                        approved.commonName(), names, request.owner(), request.tags(), request.managedName(), request.predecessorId(),
                        request.actor()),
                serial -> ca.sign(new CertificateTemplate(issuer.name(), serial, approved.commonName(), approved.dnsNames(),
                        approved.ipAddresses(), request.publicKey(), notBefore, notAfter, approved.profile().extendedKeyUsages())),
                failedSerial -> "the certificate could not be signed; serial " + failedSerial + " is recorded as FAILED",
                chainBelowRoot(issuer), request.privateKey(), (certificateId, view) -> {
                    if (request.managedName() != null) {
                        managed.setCurrent(request.managedName(), certificateId);
                    }
                    if (request.predecessorId() != null) {
                        inventory.linkSuccessor(request.predecessorId(), certificateId);
                    }
                    audit.append(request.actor(), "certificate.issued", "certificate", view.serial().hex(), "issuer=" + issuer.name()
                            + " profile=" + approved.profile().name() + " owner=" + request.owner() + " source=" + request.source()
                            + (request.managedName() == null ? "" : " managed=" + request.managedName())
                            + (request.predecessorId() == null ? "" : " predecessor=" + request.predecessorId()) + " notAfter=" + view.notAfter());
                    events.publishEvent(new CertificateIssued(certificateId, view.serial().hex(), issuer.name(), approved.profile().name(),
                            request.owner(), request.source().name(), request.managedName(), view.notAfter(), request.actor()));
                });
        long certificateId = signed.id();
        CertificateView view = signed.view();
        List<X509Certificate> chain = signed.chain();
        log.info("issued serial {} by {} for {} (profile {}, owner {}, until {})", view.serial(), issuer.name(), names,
                approved.profile().name(), request.owner(), view.notAfter());
        CertificateRecord record = new CertificateRecord(certificateId, view.serial(), issuerDn, issuer.name(), CertificateStatus.ISSUED,
                request.source(), approved.profile().name(), view.subject(), view.sans(), view.key().name(), view.key().bits(),
                view.notBefore(), view.notAfter(), view.fingerprint().sha256Hex(), view.der(), Pem.encodeChain(chain), request.owner(),
                request.tags() == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(request.tags())), request.managedName(),
                request.predecessorId(), null, request.actor(), null, now, null);
        return new IssuedCertificate(certificateId, signed.certificate(), chain, record);
    }

    /**
     * A certificate from the profile's upstream ACME CA (decision 76). The upstream chooses the serial, so there is no
     * reservation: the obtained certificate, its key, the slot's pointer, the successor link, the ARI window, the audit
     * entry and {@link CertificateIssued} are recorded in one transaction, as for our own certificates.
     */
    private IssuedCertificate obtainUpstream(ApprovedRequest approved, IssuanceRequest request) {
        String upstream = approved.profile().upstream();
        UpstreamCertificates client = upstreams.getIfAvailable();
        if (client == null) {
            throw new IssuanceException(IssuanceException.Type.UPSTREAM_CA, "upstream issuance is not running on this node");
        }
        if (request.privateKey() == null || !approved.ipAddresses().isEmpty() || approved.commonName() != null
                && !approved.dnsNames().contains(approved.commonName())) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "profile '" + approved.profile().name() + "' is issued by upstream '"
                    + upstream + "': only managed certificates with a key held here and DNS names only can be obtained there");
        }
        X509Certificate replaces = null;
        if (request.predecessorId() != null) {
            replaces = inventory.find(request.predecessorId()).filter(r -> r.source() == CertificateSource.UPSTREAM
                    && UpstreamCertificates.issuerName(upstream).equals(r.issuerName())).map(r -> Pem.certificate(r.der())).orElse(null);
        }
        UpstreamCertificates.Obtained obtained = client.obtain(upstream, approved.dnsNames(),
                new java.security.KeyPair(request.publicKey(), request.privateKey()), replaces, request.actor());
        CertificateView view = CertificateView.of(obtained.certificate());
        String issuerName = UpstreamCertificates.issuerName(upstream);
        String chainPem = Pem.encodeChain(obtained.chain());
        Long id = transactions.execute(tx -> {
            long certificateId = inventory.reserve(new PendingCertificate(view.serial(), view.issuer(), issuerName, CertificateSource.UPSTREAM,
                    approved.profile().name(), approved.commonName(), approved.dnsNames(), request.owner(), request.tags(), request.managedName(),
                    request.predecessorId(), request.actor()));
            inventory.markIssued(certificateId, view, chainPem);
            KeyWrapping.Wrapped wrapped = keyWrapping.wrap(request.privateKey(), keyContext(certificateId));
            inventory.storeKey(certificateId, wrapped.kekId(), wrapped.bytes());
            if (obtained.windowStart() != null && obtained.windowEnd() != null) {
                inventory.setRenewalWindow(certificateId, obtained.windowStart(), obtained.windowEnd());
            }
            if (request.managedName() != null) {
                managed.setCurrent(request.managedName(), certificateId);
            }
            if (request.predecessorId() != null) {
                inventory.linkSuccessor(request.predecessorId(), certificateId);
            }
            audit.append(request.actor(), "certificate.issued", "certificate", view.serial().hex(), "issuer=" + issuerName + " profile="
                    + approved.profile().name() + " owner=" + request.owner() + " source=UPSTREAM"
                    + (request.managedName() == null ? "" : " managed=" + request.managedName())
                    + (request.predecessorId() == null ? "" : " predecessor=" + request.predecessorId()) + " notAfter=" + view.notAfter());
            events.publishEvent(new CertificateIssued(certificateId, view.serial().hex(), issuerName, approved.profile().name(),
                    request.owner(), CertificateSource.UPSTREAM.name(), request.managedName(), view.notAfter(), request.actor()));
            return certificateId;
        });
        log.info("obtained serial {} from upstream {} for {} (profile {}, until {})", view.serial(), upstream, approved.dnsNames(),
                approved.profile().name(), view.notAfter());
        return new IssuedCertificate(id, obtained.certificate(), obtained.chain(), inventory.find(id).orElseThrow());
    }

    /** The profile name recorded on delegated OCSP responder certificates. */
    public static final String OCSP_RESPONDER_PROFILE = "ocsp-responder";

    /**
     * Issues the issuer's delegated OCSP responder certificate (RFC 6960 §4.2.2.2) for a key generated here, in the same
     * order as every other certificate: reserve the serial, sign, then record the certificate, the wrapped key and the
     * audit entry in one transaction. No profile or name policy applies: the CA certifies its own responder.
     */
    public IssuedCertificate issueOcspResponder(String issuerName, java.security.KeyPair keys, Duration validity, String actor) {
        Issuer issuer = ca.issuer(issuerName);
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        String issuerDn = issuer.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253);
        Signed signed = reserveSignRecord(issuer, actor,
                serial -> new PendingCertificate(serial, issuerDn, issuerName, CertificateSource.CA, OCSP_RESPONDER_PROFILE,
                        issuerName + " OCSP Responder", List.of(), "certwright", List.of(OCSP_RESPONDER_PROFILE), null, null, actor)
                        .withPurpose(dev.certwright.inventory.CertificatePurpose.OCSP_RESPONDER),
                serial -> ca.signOcspResponderCertificate(issuerName, keys.getPublic(), serial, now.minus(BACKDATE), now.plus(validity)),
                failedSerial -> "the OCSP responder certificate of " + issuerName + " could not be signed",
                issuer.chain(), keys.getPrivate(), (id, view) -> {
                    audit.append(actor, "certificate.issued", "certificate", view.serial().hex(), "issuer=" + issuerName + " profile="
                            + OCSP_RESPONDER_PROFILE + " notAfter=" + view.notAfter());
                    events.publishEvent(new CertificateIssued(id, view.serial().hex(), issuerName, OCSP_RESPONDER_PROFILE, "certwright",
                            CertificateSource.CA.name(), null, view.notAfter(), actor));
                });
        log.info("issued OCSP responder certificate serial {} for issuer {} until {}", signed.view().serial(), issuerName, signed.view().notAfter());
        return new IssuedCertificate(signed.id(), signed.certificate(), signed.chain(), inventory.find(signed.id()).orElseThrow());
    }

    /** A certificate signed and recorded by {@link #reserveSignRecord}. */
    private record Signed(long id, X509Certificate certificate, CertificateView view, List<X509Certificate> chain) {
    }

    /**
     * Steps 2 to 4, the same for every certificate this CA signs (leaf or OCSP responder):
     * <ol>
     * <li>reserve a fresh random serial in a PENDING row, in a transaction of its own that commits before anything is
     * signed, even when a caller has one open, so that no signed serial can ever be missing from the books (the
     * record-before-sign rule, as Boulder's CA);</li>
     * <li>sign; if that fails, mark the row FAILED with an audit entry and throw SIGNING_FAILED: the serial is never used
     * again;</li>
     * <li>in one transaction: mark the row ISSUED with its DER and chain, store the wrapped private key if there is one,
     * and let {@code record} add what this kind of certificate needs (links, audit entry, event).</li>
     * </ol>
     */
    private Signed reserveSignRecord(Issuer issuer, String actor, java.util.function.Function<SerialNumber, PendingCertificate> pending,
            java.util.function.Function<SerialNumber, X509Certificate> signer, java.util.function.Function<String, String> failureMessage,
            List<X509Certificate> chain, java.security.PrivateKey privateKey, java.util.function.BiConsumer<Long, CertificateView> record) {
        SerialNumber serial = null;
        long id = -1;
        for (int attempt = 1; id < 0; attempt++) {
            serial = SerialNumber.random(random);
            PendingCertificate row = pending.apply(serial);
            try {
                Long reserved = reservations.execute(tx -> inventory.reserve(row));
                id = reserved;
            } catch (InventoryException e) {
                if (e.type() != InventoryException.Type.DUPLICATE || attempt >= SERIAL_ATTEMPTS) {
                    throw e;
                }
                log.warn("serial {} collided for issuer {}; drawing another", serial, issuer.name());
            }
        }

        X509Certificate certificate;
        try {
            certificate = signer.apply(serial);
        } catch (CaException | IllegalStateException e) {
            long failedId = id;
            String failedSerial = serial.hex();
            transactions.executeWithoutResult(tx -> {
                inventory.markFailed(failedId, e.getMessage());
                audit.append(actor, "certificate.issue-failed", "certificate", failedSerial, "issuer=" + issuer.name()
                        + " reason=" + e.getMessage());
            });
            log.error("signing serial {} with issuer {} failed", failedSerial, issuer.name(), e);
            throw new IssuanceException(IssuanceException.Type.SIGNING_FAILED, failureMessage.apply(failedSerial), e);
        }

        CertificateView view = CertificateView.of(certificate);
        long certificateId = id;
        transactions.executeWithoutResult(tx -> {
            inventory.markIssued(certificateId, view, Pem.encodeChain(chain));
            if (privateKey != null) {
                // Wrapped in the transaction that stores it, under the KEK it is stored beside (decision 68).
                KeyWrapping.Wrapped wrapped = keyWrapping.wrap(privateKey, keyContext(certificateId));
                inventory.storeKey(certificateId, wrapped.kekId(), wrapped.bytes());
            }
            record.accept(certificateId, view);
        });
        return new Signed(certificateId, certificate, view, chain);
    }

    /** The private key of an OCSP responder certificate issued by {@link #issueOcspResponder}; no other key is handed out here. */
    public java.security.PrivateKey ocspResponderKey(long certificateId) {
        CertificateRecord record = inventory.find(certificateId).filter(r -> OCSP_RESPONDER_PROFILE.equals(r.profile())
                && r.source() == CertificateSource.CA).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                        "certificate " + certificateId + " is not an OCSP responder certificate"));
        var wrapped = inventory.key(record.id()).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                "OCSP responder certificate " + record.serial() + " has no stored key"));
        return keyWrapping.unwrap(wrapped.kekId(), wrapped.bytes(), keyContext(record.id()));
    }

    /** The chain to hand out with a leaf: the issuer and its parents, without the self-signed root. */
    static List<X509Certificate> chainBelowRoot(Issuer issuer) {
        List<X509Certificate> chain = issuer.chain();
        X509Certificate last = chain.get(chain.size() - 1);
        boolean selfSigned = last.getSubjectX500Principal().equals(last.getIssuerX500Principal());
        return selfSigned ? chain.subList(0, chain.size() - 1) : chain;
    }

    /** Binds a wrapped key to its certificate row (AES-GCM additional data). */
    static String keyContext(long certificateId) {
        return "certificate-id:" + certificateId;
    }
}
