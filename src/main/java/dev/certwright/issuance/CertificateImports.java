package dev.certwright.issuance;

import java.security.cert.X509Certificate;
import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.audit.AuditLog;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.x509.CertificateChains;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.ChainException;
import dev.certwright.x509.Pem;

/** Brings certificates issued elsewhere into the inventory, as IMPORTED. */
@Service
public class CertificateImports {

    /** A chain longer than this is not a chain anyone deploys. */
    static final int MAX_CHAIN = CertificateChains.MAX_LENGTH;

    private final CertificateInventory inventory;
    private final CertificateAuthority ca;
    private final AuditLog audit;

    CertificateImports(CertificateInventory inventory, CertificateAuthority ca, AuditLog audit) {
        this.inventory = inventory;
        this.ca = ca;
        this.audit = audit;
    }

    /**
     * Imports a PEM certificate, optionally followed by its chain. When a chain is given, it must be one a path can be
     * built from (RFC 5280 §6.1): each certificate signed by the next, every issuer a CA, no loop, no path length
     * exceeded; so that a mislabelled or forged bundle is refused rather than stored. A certificate that names one of
     * our issuers must carry that issuer's signature: a foreign one would take a serial of ours in the inventory.
     */
    @Transactional
    public CertificateRecord importPem(String pem, String owner, List<String> tags, String actor) {
        List<X509Certificate> certificates = Pem.decodeCertificates(pem);
        CertificateChains.checkOrdered(certificates);
        X509Certificate leaf = certificates.get(0);
        for (Issuer issuer : ca.issuers()) {
            if (issuer.certificate().getSubjectX500Principal().equals(leaf.getIssuerX500Principal()) && !CertificateChains.verifies(leaf, issuer.certificate())) {
                throw new ChainException("the certificate names our issuer '" + issuer.name() + "' as its issuer but is not signed by its key");
            }
        }
        CertificateView view = CertificateView.of(certificates.get(0));
        String chainPem = Pem.encodeChain(certificates.subList(1, certificates.size()));
        long id = inventory.record(view, chainPem, CertificateSource.IMPORTED, null, owner, tags, actor);
        audit.append(actor, "certificate.imported", "certificate", view.serial().hex(), "issuer=" + view.issuer() + " owner=" + owner);
        return inventory.find(id).orElseThrow();
    }

}
