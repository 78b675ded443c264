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
    private final CertificateInventory inventory;
    private final ManagedCertificates managed;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final SecureRandom random;

    CertificateIssuance(IssuancePolicy policy, CertificateAuthority ca, CertificateInventory inventory, ManagedCertificates managed,
            ApplicationEventPublisher events, AuditLog audit, TransactionTemplate transactions, Clock clock, SecureRandom random) {
        this.policy = policy;
        this.ca = ca;
        this.inventory = inventory;
        this.managed = managed;
        this.events = events;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.random = random;
    }

    /** Issues one certificate. Policy refusals throw {@code PolicyException} before anything is written. */
    public IssuedCertificate issue(IssuanceRequest request) {
        ApprovedRequest approved = policy.check(request.profile(), request.commonName(), request.dnsNames(), request.ipAddresses(),
                request.publicKey(), request.validity());
        Issuer issuer = ca.issuer(approved.profile().issuer());
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

        // Step 2: reserve the serial, committed before anything is signed.
        SerialNumber serial = null;
        long id = -1;
        for (int attempt = 1; id < 0; attempt++) {
            serial = SerialNumber.random(random);
            try {
                id = inventory.reserve(new PendingCertificate(serial, issuerDn, issuer.name(), request.source(), approved.profile().name(),
                        approved.commonName(), names, request.owner(), request.tags(), request.managedName(), request.predecessorId(),
                        request.actor()));
            } catch (InventoryException e) {
                if (e.type() != InventoryException.Type.DUPLICATE || attempt >= SERIAL_ATTEMPTS) {
                    throw e;
                }
                log.warn("serial {} collided for issuer {}; drawing another", serial, issuer.name());
            }
        }

        // Step 3: sign.
        X509Certificate certificate;
        try {
            certificate = ca.sign(new CertificateTemplate(issuer.name(), serial, approved.commonName(), approved.dnsNames(),
                    approved.ipAddresses(), request.publicKey(), notBefore, notAfter, approved.profile().extendedKeyUsages()));
        } catch (CaException | IllegalStateException e) {
            long failedId = id;
            String failedSerial = serial.hex();
            transactions.executeWithoutResult(tx -> {
                inventory.markFailed(failedId, e.getMessage());
                audit.append(request.actor(), "certificate.issue-failed", "certificate", failedSerial, "issuer=" + issuer.name()
                        + " reason=" + e.getMessage());
                events.publishEvent(new CertificateIssueFailed(failedId, failedSerial, issuer.name(), e.getMessage(), request.actor()));
            });
            log.error("signing serial {} with issuer {} failed", failedSerial, issuer.name(), e);
            throw new IssuanceException(IssuanceException.Type.SIGNING_FAILED, "the certificate could not be signed; serial "
                    + failedSerial + " is recorded as FAILED", e);
        }

        // Step 4: record the result, the key and the event together.
        List<X509Certificate> chain = chainBelowRoot(issuer);
        CertificateView view = CertificateView.of(certificate);
        long certificateId = id;
        transactions.executeWithoutResult(tx -> {
            inventory.markIssued(certificateId, view, Pem.encodeChain(chain));
            if (request.privateKey() != null) {
                inventory.storeKey(certificateId, ca.keyEncryptionKeyId(), ca.wrapKey(request.privateKey(), keyContext(certificateId)));
            }
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
        log.info("issued serial {} by {} for {} (profile {}, owner {}, until {})", view.serial(), issuer.name(), names,
                approved.profile().name(), request.owner(), view.notAfter());
        CertificateRecord record = new CertificateRecord(certificateId, view.serial(), issuerDn, issuer.name(), CertificateStatus.ISSUED,
                request.source(), approved.profile().name(), view.subject(), view.sans(), view.key().name(), view.key().bits(),
                view.notBefore(), view.notAfter(), view.fingerprint().sha256Hex(), view.der(), Pem.encodeChain(chain), request.owner(),
                request.tags() == null ? List.of() : List.copyOf(new java.util.LinkedHashSet<>(request.tags())), request.managedName(),
                request.predecessorId(), null, request.actor(), null, now, null);
        return new IssuedCertificate(certificateId, certificate, chain, record);
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
        SerialNumber serial = SerialNumber.random(random);
        long id = inventory.reserve(new PendingCertificate(serial, issuerDn, issuerName, CertificateSource.CA, OCSP_RESPONDER_PROFILE,
                issuerName + " OCSP Responder", List.of(), "certwright", List.of(OCSP_RESPONDER_PROFILE), null, null, actor)
                .withPurpose(dev.certwright.inventory.CertificatePurpose.OCSP_RESPONDER));
        X509Certificate certificate;
        try {
            certificate = ca.signOcspResponderCertificate(issuerName, keys.getPublic(), serial, now.minus(BACKDATE), now.plus(validity));
        } catch (CaException e) {
            transactions.executeWithoutResult(tx -> {
                inventory.markFailed(id, e.getMessage());
                audit.append(actor, "certificate.issue-failed", "certificate", serial.hex(), "issuer=" + issuerName + " reason=" + e.getMessage());
            });
            throw new IssuanceException(IssuanceException.Type.SIGNING_FAILED, "the OCSP responder certificate of " + issuerName
                    + " could not be signed", e);
        }
        List<X509Certificate> chain = issuer.chain();
        CertificateView view = CertificateView.of(certificate);
        transactions.executeWithoutResult(tx -> {
            inventory.markIssued(id, view, Pem.encodeChain(chain));
            inventory.storeKey(id, ca.keyEncryptionKeyId(), ca.wrapKey(keys.getPrivate(), keyContext(id)));
            audit.append(actor, "certificate.issued", "certificate", view.serial().hex(), "issuer=" + issuerName + " profile="
                    + OCSP_RESPONDER_PROFILE + " notAfter=" + view.notAfter());
            events.publishEvent(new CertificateIssued(id, view.serial().hex(), issuerName, OCSP_RESPONDER_PROFILE, "certwright",
                    CertificateSource.CA.name(), null, view.notAfter(), actor));
        });
        log.info("issued OCSP responder certificate serial {} for issuer {} until {}", view.serial(), issuerName, view.notAfter());
        return new IssuedCertificate(id, certificate, chain, inventory.find(id).orElseThrow());
    }

    /** The private key of an OCSP responder certificate issued by {@link #issueOcspResponder}; no other key is handed out here. */
    public java.security.PrivateKey ocspResponderKey(long certificateId) {
        CertificateRecord record = inventory.find(certificateId).filter(r -> OCSP_RESPONDER_PROFILE.equals(r.profile())
                && r.source() == CertificateSource.CA).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                        "certificate " + certificateId + " is not an OCSP responder certificate"));
        var wrapped = inventory.key(record.id()).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                "OCSP responder certificate " + record.serial() + " has no stored key"));
        return ca.unwrapKey(wrapped.bytes(), keyContext(record.id()));
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
