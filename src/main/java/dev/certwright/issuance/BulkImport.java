package dev.certwright.issuance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import java.security.cert.X509Certificate;

import org.springframework.stereotype.Service;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.InventoryException;
import dev.certwright.x509.CertificateBundles;
import dev.certwright.x509.CertificateChains;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.Pem;

/**
 * Imports every certificate in an uploaded file (decision 74): a certificate already in the inventory (same issuer and
 * serial) counts as already known; the others are recorded as IMPORTED, each with the chain of issuers found in the same
 * upload (RFC 5280 §6.1: subject names the issuer and the issuer's key verifies the signature). Private keys in the upload
 * are counted and dropped: managing them is not done yet.
 */
@Service
public class BulkImport {

    /** What the import did; {@code rejected} items name the file in the archive and the index in it. */
    public record Report(int imported, int alreadyKnown, List<CertificateBundles.Rejected> rejected, int keysIgnored) {
    }

    private final CertificateInventory inventory;
    private final AuditLog audit;

    BulkImport(CertificateInventory inventory, AuditLog audit) {
        this.inventory = inventory;
        this.audit = audit;
    }

    /** Imports {@code data} named {@code fileName}; {@code password} opens PKCS#12 and JKS. Never logs the password or a key. */
    public Report importFile(String fileName, byte[] data, char[] password, String owner, List<String> tags, String actor) {
        CertificateBundles.Contents contents = CertificateBundles.read(fileName, data, password, CertificateBundles.Limits.DEFAULT);
        Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();
        for (CertificateBundles.Found found : contents.certificates()) {
            bySubject.computeIfAbsent(found.certificate().getSubjectX500Principal(), k -> new ArrayList<>()).add(found.certificate());
        }
        List<CertificateBundles.Rejected> rejected = new ArrayList<>(contents.rejected());
        int imported = 0;
        int known = 0;
        for (CertificateBundles.Found found : contents.certificates()) {
            X509Certificate certificate = found.certificate();
            CertificateView view = CertificateView.of(certificate);
            if (inventory.findByIssuerAndSerial(view.issuer(), view.serial()).isPresent()) {
                known++;
                continue;
            }
            try {
                inventory.record(view, Pem.encodeChain(chain(certificate, bySubject)), CertificateSource.IMPORTED, null, owner, tags, actor);
                imported++;
            } catch (InventoryException e) {
                if (e.type() == InventoryException.Type.DUPLICATE) {
                    known++; // the same certificate twice in one upload
                } else {
                    rejected.add(new CertificateBundles.Rejected(found.item(), e.getMessage()));
                }
            }
        }
        audit.append(actor, "certificates.bulk-imported", "import", fileName == null ? "upload" : fileName,
                "imported=" + imported + " alreadyKnown=" + known + " rejected=" + rejected.size() + " keysIgnored=" + contents.keysIgnored());
        return new Report(imported, known, List.copyOf(rejected), contents.keysIgnored());
    }

    /** The issuers above {@code certificate} found in the upload, nearest first; stops at a self-signed root or a loop. */
    private static List<X509Certificate> chain(X509Certificate certificate, Map<X500Principal, List<X509Certificate>> bySubject) {
        List<X509Certificate> chain = new ArrayList<>();
        X509Certificate current = certificate;
        while (chain.size() < CertificateChains.MAX_LENGTH && !current.getIssuerX500Principal().equals(current.getSubjectX500Principal())) {
            X509Certificate issuer = null;
            for (X509Certificate candidate : bySubject.getOrDefault(current.getIssuerX500Principal(), List.of())) {
                if (signedBy(current, candidate) && !chain.contains(candidate)) {
                    issuer = candidate;
                    break;
                }
            }
            if (issuer == null) {
                break;
            }
            chain.add(issuer);
            current = issuer;
        }
        return chain;
    }

    private static boolean signedBy(X509Certificate certificate, X509Certificate issuer) {
        try {
            certificate.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
