package dev.certwright.issuance;

import java.security.cert.X509Certificate;
import java.util.List;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;

/** Brings certificates issued elsewhere into the inventory, as IMPORTED. */
@Service
public class CertificateImports {

    /** A chain longer than this is not a chain anyone deploys. */
    static final int MAX_CHAIN = 10;

    private final CertificateInventory inventory;
    private final ApplicationEventPublisher events;
    private final AuditLog audit;

    CertificateImports(CertificateInventory inventory, ApplicationEventPublisher events, AuditLog audit) {
        this.inventory = inventory;
        this.events = events;
        this.audit = audit;
    }

    /**
     * Imports a PEM certificate, optionally followed by its chain. When a chain is given, each certificate must be
     * signed by the next (RFC 5280 §6.1), so that a mislabelled bundle is refused rather than stored.
     */
    @Transactional
    public CertificateRecord importPem(String pem, String owner, List<String> tags, String actor) {
        List<X509Certificate> certificates = Pem.decodeCertificates(pem);
        if (certificates.size() > MAX_CHAIN) {
            throw new X509Exception("the PEM holds " + certificates.size() + " certificates; at most " + MAX_CHAIN + " are accepted");
        }
        for (int i = 0; i + 1 < certificates.size(); i++) {
            X509Certificate child = certificates.get(i);
            X509Certificate parent = certificates.get(i + 1);
            try {
                child.verify(parent.getPublicKey());
            } catch (Exception e) {
                throw new X509Exception("certificate " + (i + 1) + " of the PEM is not signed by certificate " + (i + 2)
                        + "; give the leaf first, then each issuer in order");
            }
        }
        CertificateView view = CertificateView.of(certificates.get(0));
        String chainPem = Pem.encodeChain(certificates.subList(1, certificates.size()));
        long id = inventory.record(view, chainPem, CertificateSource.IMPORTED, null, owner, tags, actor);
        audit.append(actor, "certificate.imported", "certificate", view.serial().hex(), "issuer=" + view.issuer() + " owner=" + owner);
        events.publishEvent(new CertificateImported(id, view.serial().hex(), view.issuer(), owner, actor));
        return inventory.find(id).orElseThrow();
    }
}
