package dev.certwright.issuance;

import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.platform.ImportProperties;
import dev.certwright.x509.CertificateBundles;
import dev.certwright.x509.CertificateChains;
import dev.certwright.x509.CertificateView;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;

/**
 * Imports every certificate in an uploaded file (decision 74): a certificate already in the inventory (same issuer and
 * serial) counts as already known; the others are recorded as IMPORTED, each with the chain of its issuers found in the
 * same upload or in the inventory (RFC 5280 §6.1: the subject names the issuer and the issuer's key verifies the
 * signature). The upload is read twice and never held as certificates: a first pass keeps only the CA certificates (and,
 * for a managed slot, the keys and the leaves they may belong to), the second records the certificates in transactions
 * of {@link #BATCH}, so the heap holds the upload's bytes, its CAs and one batch. Private keys are dropped unless the
 * request names a managed slot: then the one key that matches a leaf of the upload is wrapped under the KEK and the slot
 * adopts that leaf as its current instance.
 */
@Service
public class BulkImport {

    /** What the import did; {@code rejected} items name the file in the archive and the index in it. */
    public record Report(int imported, int alreadyKnown, List<CertificateBundles.Rejected> rejected, int keysIgnored, String slot) {
    }

    /** Certificates recorded per transaction: a big upload commits as it goes and holds no long lock. */
    static final int BATCH = 500;
    /** Certificates of one subject name looked at as issuer candidates in the inventory. */
    static final int ISSUER_CANDIDATES = 16;

    private final CertificateInventory inventory;
    private final ManagedCertificates managed;
    private final KeyWrapping keyWrapping;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final ImportProperties properties;

    private final org.springframework.context.ApplicationEventPublisher events;

    BulkImport(CertificateInventory inventory, ManagedCertificates managed, KeyWrapping keyWrapping, AuditLog audit,
            PlatformTransactionManager transactionManager, ImportProperties properties, org.springframework.context.ApplicationEventPublisher events) {
        this.events = events;
        this.inventory = inventory;
        this.managed = managed;
        this.keyWrapping = keyWrapping;
        this.audit = audit;
        this.transactions = new TransactionTemplate(transactionManager);
        this.properties = properties;
    }

    /** Imports {@code data}; keys are dropped. */
    public Report importFile(String fileName, byte[] data, char[] password, String owner, List<String> tags, String actor) {
        return importFile(fileName, data, password, owner, tags, actor, null);
    }

    /**
     * Imports {@code data} named {@code fileName}; {@code password} opens PKCS#12, JKS and encrypted keys. With a
     * {@code slot} (the request's {@code manage: true}), the upload's key pair becomes that managed certificate's.
     * Never logs or returns the password or a key.
     */
    public Report importFile(String fileName, byte[] data, char[] password, String owner, List<String> tags, String actor, String slot) {
        ManagedCertificate target = slot == null ? null : slot(slot);
        CertificateBundles.Limits limits = properties.limits();
        Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();
        List<X509Certificate> leaves = new ArrayList<>();
        CertificateBundles.Summary first = CertificateBundles.stream(fileName, data, password, limits, target != null, found -> {
            X509Certificate c = found.certificate();
            if (c.getBasicConstraints() >= 0 || c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                bySubject.computeIfAbsent(c.getSubjectX500Principal(), k -> new ArrayList<>()).add(c);
            } else if (target != null) {
                leaves.add(c);
            }
        });
        List<CertificateBundles.Rejected> rejected = new ArrayList<>(first.rejected());
        if (first.certificates() == 0) {
            // Nothing in the upload is a certificate: a client error (400), with what was wrong, and nothing recorded or audited.
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "the upload holds no certificate that could be read"
                    + (rejected.isEmpty() ? "" : ": " + String.join("; ", rejected.stream().limit(5).map(r -> r.item() + ": " + r.reason()).toList())
                            + (rejected.size() > 5 ? "; and " + (rejected.size() - 5) + " more" : "")));
        }
        Adoption adoption = target == null ? null : pair(target, first.keptKeys(), leaves, rejected);

        Set<String> seen = new HashSet<>();
        Map<String, List<X509Certificate>> inventoryIssuers = new HashMap<>();
        int[] counts = new int[2]; // imported, already known
        List<CertificateBundles.Found> batch = new ArrayList<>(BATCH);
        CertificateBundles.stream(fileName, data, password, limits, false, found -> {
            batch.add(found);
            if (batch.size() == BATCH) {
                record(batch, bySubject, inventoryIssuers, seen, counts, adoption, owner, tags, actor);
                batch.clear();
            }
        });
        record(batch, bySubject, inventoryIssuers, seen, counts, adoption, owner, tags, actor);

        int imported = counts[0];
        int known = counts[1];
        String adoptedBy = adoption == null ? null : target.name();
        transactions.executeWithoutResult(status -> audit.append(actor, "certificates.bulk-imported", "import", fileName == null ? "upload" : fileName,
                "imported=" + imported + " alreadyKnown=" + known + " rejected=" + rejected.size() + " keysIgnored=" + (first.keys() - (adoption == null ? 0 : 1))
                        + (adoption == null ? "" : " slot=" + target.name() + " serial=" + adoption.certificate().getSerialNumber().toString(16))));
        return new Report(imported, known, List.copyOf(rejected), first.keys() - (adoption == null ? 0 : 1), adoptedBy);
    }

    /** The key pair a slot adopts: its key and the leaf of the upload that carries the key's public half. */
    private record Adoption(ManagedCertificate slot, PrivateKey key, X509Certificate certificate) {
    }

    private ManagedCertificate slot(String name) {
        ManagedCertificate slot = managed.find(name).orElseThrow(() -> new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                "no managed certificate is named '" + (ManagedCertificateService.NAME.matcher(name).matches() ? name : "(invalid name)") + "'"));
        if (slot.keyOnHost()) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "managed certificate '" + name + "' keeps its key on its target; it cannot adopt one");
        }
        return slot;
    }

    /** Pairs the kept keys with the leaves; a key without its certificate is a rejected item, and exactly one pair must remain. */
    private static Adoption pair(ManagedCertificate slot, List<CertificateBundles.FoundKey> keys, List<X509Certificate> leaves, List<CertificateBundles.Rejected> rejected) {
        List<Adoption> pairs = new ArrayList<>();
        for (CertificateBundles.FoundKey key : keys) {
            Optional<X509Certificate> leaf = leaves.stream().filter(c -> holds(key.key(), c)).findFirst();
            if (leaf.isPresent()) {
                pairs.add(new Adoption(slot, key.key(), leaf.get()));
            } else {
                rejected.add(new CertificateBundles.Rejected(key.item(), "the private key matches no end-entity certificate in the upload"));
            }
        }
        if (pairs.size() != 1) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "managed certificate '" + slot.name() + "' adopts one key pair; the upload holds "
                    + pairs.size() + " private keys that match a certificate in it");
        }
        return pairs.get(0);
    }

    /** Whether {@code key} is the private half of {@code certificate}'s public key: it signs, the certificate's key verifies. */
    private static boolean holds(PrivateKey key, X509Certificate certificate) {
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            case "Ed448" -> "Ed448";
            default -> null;
        };
        if (algorithm == null || !certificate.getPublicKey().getAlgorithm().equals(key.getAlgorithm())) {
            return false;
        }
        try {
            byte[] probe = "certwright bulk import key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(certificate.getPublicKey());
            verifier.update(probe);
            return verifier.verify(signature);
        } catch (Exception e) {
            return false;
        }
    }

    private void record(List<CertificateBundles.Found> batch, Map<X500Principal, List<X509Certificate>> bySubject,
            Map<String, List<X509Certificate>> inventoryIssuers, Set<String> seen, int[] counts, Adoption adoption, String owner,
            List<String> tags, String actor) {
        if (batch.isEmpty()) {
            return;
        }
        transactions.executeWithoutResult(status -> {
            for (CertificateBundles.Found found : batch) {
                X509Certificate certificate = found.certificate();
                CertificateView view = CertificateView.of(certificate);
                boolean adopted = adoption != null && adoption.certificate().equals(certificate);
                // The same certificate twice in one upload, or already in the inventory: same issuer and serial (RFC 5280 §4.1.2.2).
                Optional<CertificateRecord> existing = inventory.findByIssuerAndSerial(view.issuer(), view.serial());
                if (!seen.add(view.issuer() + "|" + view.serial().hex()) || existing.isPresent()) {
                    counts[1]++;
                    if (adopted && existing.isPresent()) {
                        adopt(adoption, existing.get().id(), actor);
                    }
                    continue;
                }
                // Absent a moment ago; a discovery run or another upload may record it meanwhile, which must not abort
                // this batch's transaction (PostgreSQL): then it is already known.
                Optional<Long> inserted = inventory.recordIfAbsent(view, Pem.encodeChain(chain(certificate, bySubject, inventoryIssuers)),
                        CertificateSource.IMPORTED, null, owner, tags, actor);
                long id = inserted.orElseGet(() -> inventory.findByIssuerAndSerial(view.issuer(), view.serial()).orElseThrow().id());
                counts[inserted.isPresent() ? 0 : 1]++;
                if (adopted) {
                    adopt(adoption, id, actor);
                }
            }
        });
    }

    /** In the transaction that records the certificate: its key wrapped under the current KEK (decision 68), the slot's current instance. */
    private void adopt(Adoption adoption, long certificateId, String actor) {
        if (inventory.key(certificateId).isEmpty()) {
            KeyWrapping.Wrapped wrapped = keyWrapping.wrap(adoption.key(), CertificateIssuance.keyContext(certificateId));
            inventory.storeKey(certificateId, wrapped.kekId(), wrapped.bytes());
        }
        Long previous = adoption.slot().currentCertificateId();
        inventory.assignToSlot(certificateId, adoption.slot().name());
        if (previous != null && previous != certificateId) {
            inventory.linkSuccessor(previous, certificateId);
        }
        managed.setCurrent(adoption.slot().name(), certificateId);
        audit.append(actor, "managed-certificate.key-imported", "managed-certificate", adoption.slot().name(),
                "serial=" + adoption.certificate().getSerialNumber().toString(16));
        // The slot's new instance, as if issued here: its renewal is scheduled from its own dates, it is deployed to
        // the slot's targets, and services waiting on the bundle get it.
        CertificateView view = CertificateView.of(adoption.certificate());
        events.publishEvent(new CertificateIssued(certificateId, view.serial().hex(), null, adoption.slot().profile(), adoption.slot().owner(),
                dev.certwright.inventory.CertificateSource.IMPORTED.name(), adoption.slot().name(), view.notAfter(), actor));
    }

    /** The issuers above {@code certificate}, from the upload or the inventory, nearest first; stops at a self-signed root or a loop. */
    private List<X509Certificate> chain(X509Certificate certificate, Map<X500Principal, List<X509Certificate>> bySubject,
            Map<String, List<X509Certificate>> inventoryIssuers) {
        List<X509Certificate> chain = new ArrayList<>();
        X509Certificate current = certificate;
        while (chain.size() < CertificateChains.MAX_LENGTH && !current.getIssuerX500Principal().equals(current.getSubjectX500Principal())) {
            X509Certificate issuer = null;
            List<X509Certificate> candidates = new ArrayList<>(bySubject.getOrDefault(current.getIssuerX500Principal(), List.of()));
            candidates.addAll(inventoryIssuers.computeIfAbsent(current.getIssuerX500Principal().getName(X500Principal.RFC2253), this::fromInventory));
            for (X509Certificate candidate : candidates) {
                if (!chain.contains(candidate) && !candidate.equals(current) && CertificateChains.verifies(current, candidate)) {
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

    private List<X509Certificate> fromInventory(String subjectDn) {
        List<X509Certificate> found = new ArrayList<>();
        for (byte[] der : inventory.derBySubject(subjectDn, ISSUER_CANDIDATES)) {
            try {
                X509Certificate c = Pem.certificate(der);
                if (c.getBasicConstraints() >= 0 || c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                    found.add(c);
                }
            } catch (X509Exception e) {
                // a stored row that no longer parses is no issuer
            }
        }
        return found;
    }
}
