package dev.certwright.issuance;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;

import javax.security.auth.x500.X500Principal;

import java.security.cert.X509Certificate;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateSource;
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

    /** Certificates recorded per transaction: a big upload commits as it goes and holds no long lock. */
    static final int BATCH = 500;

    private final CertificateInventory inventory;
    private final AuditLog audit;
    private final TransactionTemplate transactions;

    BulkImport(CertificateInventory inventory, AuditLog audit, PlatformTransactionManager transactionManager) {
        this.inventory = inventory;
        this.audit = audit;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** Imports {@code data} named {@code fileName}; {@code password} opens PKCS#12 and JKS. Never logs the password or a key. */
    public Report importFile(String fileName, byte[] data, char[] password, String owner, List<String> tags, String actor) {
        CertificateBundles.Contents contents = CertificateBundles.read(fileName, data, password, CertificateBundles.Limits.DEFAULT);
        Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();
        for (CertificateBundles.Found found : contents.certificates()) {
            bySubject.computeIfAbsent(found.certificate().getSubjectX500Principal(), k -> new ArrayList<>()).add(found.certificate());
        }
        List<CertificateBundles.Rejected> rejected = new ArrayList<>(contents.rejected());
        Set<String> seen = new HashSet<>();
        int[] counts = new int[2]; // imported, already known
        List<CertificateBundles.Found> all = contents.certificates();
        for (int from = 0; from < all.size(); from += BATCH) {
            List<CertificateBundles.Found> batch = all.subList(from, Math.min(all.size(), from + BATCH));
            transactions.executeWithoutResult(status -> {
                for (CertificateBundles.Found found : batch) {
                    X509Certificate certificate = found.certificate();
                    CertificateView view = CertificateView.of(certificate);
                    // The same certificate twice in one upload, or already in the inventory: same issuer and serial (RFC 5280 §4.1.2.2).
                    if (!seen.add(view.issuer() + "|" + view.serial().hex())
                            || inventory.findByIssuerAndSerial(view.issuer(), view.serial()).isPresent()) {
                        counts[1]++;
                        continue;
                    }
                    inventory.record(view, Pem.encodeChain(chain(certificate, bySubject)), CertificateSource.IMPORTED, null, owner, tags, actor);
                    counts[0]++;
                }
            });
        }
        int imported = counts[0];
        int known = counts[1];
        transactions.executeWithoutResult(status -> audit.append(actor, "certificates.bulk-imported", "import", fileName == null ? "upload" : fileName,
                "imported=" + imported + " alreadyKnown=" + known + " rejected=" + rejected.size() + " keysIgnored=" + contents.keysIgnored()));
        return new Report(imported, known, List.copyOf(rejected), contents.keysIgnored());
    }

    /** The issuers above {@code certificate} found in the upload, nearest first; stops at a self-signed root or a loop. */
    private static List<X509Certificate> chain(X509Certificate certificate, Map<X500Principal, List<X509Certificate>> bySubject) {
        List<X509Certificate> chain = new ArrayList<>();
        X509Certificate current = certificate;
        while (chain.size() < CertificateChains.MAX_LENGTH && !current.getIssuerX500Principal().equals(current.getSubjectX500Principal())) {
            X509Certificate issuer = null;
            for (X509Certificate candidate : bySubject.getOrDefault(current.getIssuerX500Principal(), List.of())) {
                if (CertificateChains.verifies(current, candidate) && !chain.contains(candidate)) {
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

}
