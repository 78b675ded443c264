package dev.certwright.delivery;

import java.nio.charset.StandardCharsets;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.issuance.ManagedBundle;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Roles;
import tools.jackson.databind.json.JsonMapper;

/**
 * The delivery use case behind {@code GET /api/v1/managed-certificates/{name}/bundle}: who may read a slot's bundle
 * (a service whose scope names the slot, and nobody else: not even an admin token reads a private key), the current
 * bundle, and its encoding, with every delivery of a key audited.
 */
@Service
public class BundleDelivery {

    /** An encoded bundle and its media type. */
    public record Encoded(byte[] body, String mediaType) {
    }

    private final ManagedCertificateService managed;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final JsonMapper json;

    BundleDelivery(ManagedCertificateService managed, AuditLog audit, TransactionTemplate transactions, JsonMapper json) {
        this.managed = managed;
        this.audit = audit;
        this.transactions = transactions;
        this.json = json;
    }

    /** The service's actor name when its scope names this slot; 403 otherwise. */
    public String authorise(Authentication authentication, String name) {
        if (authentication != null && authentication.getPrincipal() instanceof ApiTokens.ApiPrincipal principal && Roles.SERVICE.equals(principal.role())
                && principal.scope().contains(name)) {
            return authentication.getName();
        }
        throw new BundleAccessDenied("this service may not read the bundle of '" + name + "'");
    }

    /** The slot's current bundle; 404 for an unknown slot or one without a certificate yet. */
    public ManagedBundle current(String name) {
        return managed.currentBundle(name);
    }

    /** The bundle in the format (already {@linkplain BundleFormats#check checked}), its delivery audited. */
    public Encoded deliver(ManagedBundle bundle, String format, String password, String actor) {
        Encoded encoded = switch (format) {
            case BundleFormats.PKCS12 -> new Encoded(BundleFormats.pkcs12(bundle, password.toCharArray()), "application/pkcs12");
            case BundleFormats.JSON -> new Encoded(json.writeValueAsString(BundleFormats.json(bundle)).getBytes(StandardCharsets.UTF_8),
                    "application/json");
            default -> new Encoded(BundleFormats.pem(bundle), "application/x-pem-file");
        };
        transactions.executeWithoutResult(tx -> audit.append(actor, "managed-certificate.bundle-delivered", "managed-certificate", bundle.name(),
                "serial=" + bundle.record().serial().hex() + " format=" + format));
        return encoded;
    }
}
