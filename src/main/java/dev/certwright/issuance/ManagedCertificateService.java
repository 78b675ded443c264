package dev.certwright.issuance;

import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import org.springframework.context.annotation.DependsOn;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.InventoryException;
import dev.certwright.inventory.KeyMode;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.x509.KeySpec;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;

/**
 * Managed certificates: Certwright generates the key, keeps it encrypted under the key-encryption key, and issues
 * the certificate at once.
 */
@Service
@DependsOn("caBootstrap") // the CA must be open before anything is issued
public class ManagedCertificateService {

    /** A managed certificate's name: lowercase, digits, dot, hyphen, underscore; it appears in URLs. */
    public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    private final ManagedCertificates managed;
    private final CertificateInventory inventory;
    private final CertificateIssuance issuance;
    private final KeyWrapping keyWrapping;
    private final IssuancePolicy policy;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final SecureRandom random;
    private final CertificateRevocation revocation;
    private final org.springframework.beans.factory.ObjectProvider<OnHostKeys> onHostKeys;

    ManagedCertificateService(ManagedCertificates managed, CertificateInventory inventory, CertificateIssuance issuance,
            KeyWrapping keyWrapping, IssuancePolicy policy, AuditLog audit, TransactionTemplate transactions,
            SecureRandom random, CertificateRevocation revocation, org.springframework.beans.factory.ObjectProvider<OnHostKeys> onHostKeys) {
        this.revocation = revocation;
        this.onHostKeys = onHostKeys;
        this.managed = managed;
        this.inventory = inventory;
        this.issuance = issuance;
        this.keyWrapping = keyWrapping;
        this.policy = policy;
        this.audit = audit;
        this.transactions = transactions;
        this.random = random;
    }

    /**
     * Creates a slot that names no deployment target and keeps its key here, for a caller that may not name targets
     * (see {@link #create(ManagedCertificateSpec, String, boolean)}).
     */
    public ManagedCertificate create(ManagedCertificateSpec spec, String actor) {
        return create(spec, actor, false);
    }

    /**
     * Creates the slot, generates its key and issues its first certificate. If issuance is refused, the slot is
     * removed again, so a refused request leaves nothing behind.
     *
     * @param mayDeploy whether the caller holds the ADMIN role: only an admin may name deployment targets or ask for an
     *        on-host key, because a target is an admin-defined host that receives the certificate (and, for a managed
     *        key, the private key) over SSH. Checked here, before anything is stored, so every path (API, dashboard)
     *        refuses alike.
     */
    public ManagedCertificate create(ManagedCertificateSpec spec, String actor, boolean mayDeploy) {
        if (!mayDeploy && ((spec.targets() != null && !spec.targets().isEmpty()) || KeyMode.ON_HOST.text().equals(spec.keyMode()))) {
            throw new IssuanceException(IssuanceException.Type.FORBIDDEN,
                    "naming deployment targets and keyMode on-host need the ADMIN role");
        }
        // Only the two key modes exist. An unknown one (the dashboard form posted "hsm") must not fall back to the
        // default: the caller asked for a key handling Certwright does not offer, so nothing is created.
        if (spec.keyMode() != null && KeyMode.ofText(spec.keyMode()).isEmpty()) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "keyMode must be managed or on-host");
        }
        if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                    "name must be 1 to 64 characters of lowercase letters, digits, '.', '-' or '_', starting with a letter or digit");
        }
        KeySpec keySpec;
        try {
            keySpec = KeySpec.fromId(spec.keyAlgorithm() == null ? "EC-P256" : spec.keyAlgorithm());
        } catch (X509Exception e) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "keyAlgorithm: " + e.getMessage());
        }
        boolean onHost = KeyMode.ON_HOST.text().equals(spec.keyMode());
        if (onHost && (spec.targets() == null || spec.targets().size() != 1)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                    "keyMode on-host needs exactly one target: the host that makes the key and keeps it");
        }
        if (managed.find(spec.name()).isPresent()) {
            throw new InventoryException(InventoryException.Type.DUPLICATE, "a managed certificate named '" + spec.name() + "' already exists");
        }
        List<String> dns = spec.dnsNames() == null ? List.of() : spec.dnsNames();
        List<String> ips = spec.ipAddresses() == null ? List.of() : spec.ipAddresses();
        KeyPair keys = keySpec.generate(random);
        // Refuse before anything is stored: names, key and validity against the profile and policy.
        var approved = policy.check(spec.profile(), null, dns, ips, keys.getPublic(), spec.validity());
        if (spec.renewBefore() != null && (spec.renewBefore().isNegative() || spec.renewBefore().isZero())) {
            // A renewal window of -P1D was accepted (found by the bad-input corpus).
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "renewBefore must be a positive duration");
        }
        if (spec.renewBefore() != null && spec.renewBefore().compareTo(approved.validity()) >= 0) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "renewBefore " + spec.renewBefore()
                    + " must be shorter than the validity " + approved.validity());
        }
        List<String> tags = spec.tags() == null ? List.of() : spec.tags();
        ManagedCertificate slot = transactions.execute(tx -> {
            ManagedCertificate created = managed.create(new ManagedCertificate(0, spec.name(), approved.profile().name(),
                    approved.dnsNames(), approved.ipAddresses(), keySpec.id(), spec.owner(), tags, spec.validity(), spec.renewBefore(),
                    spec.rekey() == null || spec.rekey(), Boolean.TRUE.equals(spec.revokeSuperseded()), onHost ? KeyMode.ON_HOST : KeyMode.MANAGED,
                    spec.targets() == null ? List.of() : spec.targets(), null, actor, null));
            audit.append(actor, "managed-certificate.created", "managed-certificate", created.name(), "profile=" + created.profile()
                    + " owner=" + created.owner() + " names=" + created.dnsNames() + created.ipAddresses() + " key=" + created.keyAlgorithm());
            return created;
        });
        try {
            if (onHost) {
                issueForHostKey(slot, hostKeys().makeKey(slot), actor);
            } else {
                issuance.issue(IssuanceRequest.forManagedKey(slot, keys, actor));
            }
        } catch (RuntimeException e) {
            managed.deleteIfEmpty(slot.name());
            throw e;
        }
        return managed.find(slot.name()).orElseThrow();
    }

    public ManagedCertificate get(String name) {
        return managed.find(name).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                "no managed certificate named '" + name + "'"));
    }

    public java.util.Optional<ManagedCertificate> find(String name) {
        return managed.find(name);
    }

    /** The instances of a managed certificate, newest first. */
    public List<CertificateRecord> history(String name) {
        return inventory.history(name);
    }

    /**
     * Issues a slot's next instance for a public key its target made (on-host key mode): nothing private is stored.
     * {@link OnHostKeys} has checked that the target holds the private key (the CSR's signature).
     */
    public IssuedCertificate issueForHostKey(ManagedCertificate slot, java.security.PublicKey publicKey, String actor) {
        return issuance.issue(IssuanceRequest.forHostKey(slot, publicKey, actor));
    }

    /** The current certificate and chain, without any key (on-host key mode has none here). */
    public ManagedBundle currentInstance(String name) {
        ManagedCertificate slot = get(name);
        if (slot.currentCertificateId() == null) {
            throw new IssuanceException(IssuanceException.Type.NOT_FOUND, "managed certificate '" + name + "' has no certificate yet");
        }
        CertificateRecord record = inventory.find(slot.currentCertificateId()).orElseThrow();
        List<X509Certificate> chain = record.chainPem() == null || record.chainPem().isBlank() ? List.of()
                : new ArrayList<>(Pem.decodeCertificates(record.chainPem()));
        return new ManagedBundle(name, record, Pem.certificate(record.der()), chain, null);
    }

    private OnHostKeys hostKeys() {
        OnHostKeys keys = onHostKeys.getIfAvailable();
        if (keys == null) {
            throw new IssuanceException(IssuanceException.Type.CONFLICT, "on-host key mode needs the deployer, which is not running");
        }
        return keys;
    }

    /** The current certificate, chain and decrypted private key. Callers must be authorised for this slot. */
    public ManagedBundle currentBundle(String name) {
        ManagedBundle instance = currentInstance(name);
        CertificateRecord record = instance.record();
        var wrapped = inventory.key(record.id()).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND,
                "managed certificate '" + name + "' has no stored key" + (get(name).keyOnHost() ? " (its key is made and kept on its target)" : "")));
        return new ManagedBundle(name, record, instance.certificate(), instance.chain(),
                keyWrapping.unwrap(wrapped.kekId(), wrapped.bytes(), CertificateIssuance.keyContext(record.id())));
    }

    /**
     * Issues the successor of the current instance: a new key when the spec says {@code rekey}, else the same key.
     * The successor is linked to its predecessor, which stays valid until it expires, unless the spec says
     * {@code revokeSuperseded}: then a slot without deployment targets has its predecessor revoked (superseded) at once,
     * the successor being in place as soon as it is stored.
     */
    public IssuedCertificate renew(String name, String actor) {
        ManagedCertificate slot = get(name);
        if (slot.keyOnHost()) {
            return issueForHostKey(slot, hostKeys().makeKey(slot), actor); // always a new key, made on the host
        }
        KeyPair keys;
        if (slot.rekey() || slot.currentCertificateId() == null) {
            keys = KeySpec.fromId(slot.keyAlgorithm()).generate(random);
        } else {
            ManagedBundle current = currentBundle(name);
            keys = new KeyPair(current.certificate().getPublicKey(), current.privateKey());
        }
        IssuedCertificate issued = issuance.issue(IssuanceRequest.forRenewal(slot, keys, actor));
        if (slot.revokeSuperseded() && slot.targets().isEmpty() && slot.currentCertificateId() != null) {
            revocation.revokeSuperseded(slot.currentCertificateId(), actor);
        }
        return issued;
    }
}
