package dev.certwright.acme.application;

import java.security.PublicKey;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.function.Supplier;

import javax.security.auth.x500.X500Principal;

import org.springframework.stereotype.Service;

import dev.certwright.acme.domain.Account;
import dev.certwright.acme.store.OrderStore;
import dev.certwright.acme.web.AcmeException;
import dev.certwright.acme.web.AcmeProblem;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.issuance.CertificateRevocation;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.x509.RevocationReason;
import dev.certwright.x509.SerialNumber;
import dev.certwright.x509.X509Exception;

/**
 * RFC 8555 §7.6: revokeCert, by the account that ordered the certificate (kid) or by the certificate's own key (jwk).
 * The revocation reaches OCSP at once and the CRLs within the publish delay.
 */
@Service
public class AcmeRevocations {

    private final OrderStore orders;
    private final CertificateInventory inventory;
    private final CertificateRevocation revocation;

    AcmeRevocations(OrderStore orders, CertificateInventory inventory, CertificateRevocation revocation) {
        this.orders = orders;
        this.inventory = inventory;
        this.revocation = revocation;
    }

    /**
     * Revokes a certificate issued here. {@code account} is the signing account, or null when the request is signed by
     * a key given in the header, whose public key {@code signerKey} gives.
     */
    public void revoke(X509Certificate certificate, RevocationReason reason, Account account, Supplier<PublicKey> signerKey) {
        String issuerDn = certificate.getIssuerX500Principal().getName(X500Principal.RFC2253);
        SerialNumber serial;
        try {
            serial = new SerialNumber(certificate.getSerialNumber());
        } catch (X509Exception e) {
            throw new AcmeException(AcmeProblem.malformed, "this certificate was not issued by this CA"); // we issue positive serials only
        }
        CertificateRecord record = inventory.findByIssuerAndSerial(issuerDn, serial)
                .filter(r -> r.source() != CertificateSource.IMPORTED && r.der() != null && Arrays.equals(r.der(), encoded(certificate)))
                .orElseThrow(() -> new AcmeException(AcmeProblem.malformed, "this certificate was not issued by this CA"));
        if (account != null) {
            boolean owns = orders.findByCertificate(record.id()).map(o -> o.ownedBy(account)).orElse(false);
            if (!owns) {
                throw new AcmeException(AcmeProblem.unauthorized, "this account did not order this certificate");
            }
        } else if (!Arrays.equals(signerKey.get().getEncoded(), certificate.getPublicKey().getEncoded())) {
            throw new AcmeException(AcmeProblem.unauthorized, "the request is signed neither by the ordering account nor by the certificate's key");
        }
        try {
            revocation.revoke(record.id(), reason, account != null ? account.actor() : "acme-certificate-key");
        } catch (IssuanceException e) {
            if (e.type() == IssuanceException.Type.CONFLICT) {
                throw new AcmeException(AcmeProblem.alreadyRevoked, e.getMessage());
            }
            throw new AcmeException(AcmeProblem.unauthorized, e.getMessage());
        }
    }

    private static byte[] encoded(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new AcmeException(AcmeProblem.malformed, "the certificate cannot be encoded");
        }
    }
}
