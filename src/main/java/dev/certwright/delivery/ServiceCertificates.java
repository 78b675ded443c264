package dev.certwright.delivery;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

import org.springframework.stereotype.Component;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.ClientCertificateAuthenticator;
import dev.certwright.platform.Roles;
import dev.certwright.x509.SerialNumber;

/**
 * mTLS for services: a client certificate authenticates as its managed slot's service when it is, byte for byte, an
 * instance Certwright stored for that slot, unexpired and unrevoked, and either the slot's current instance or the
 * one the current instance replaced. The predecessor counts so that a service whose certificate was renewed by the
 * schedule can still fetch the successor (and its new key) with the certificate it holds, as step-ca's renew-by-mTLS
 * allows until expiry; anything older does not. The principal may read that slot's bundle and renew that slot,
 * nothing else.
 */
@Component
class ServiceCertificates implements ClientCertificateAuthenticator {

    private final CertificateInventory inventory;
    private final ManagedCertificates slots;
    private final Clock clock;

    ServiceCertificates(CertificateInventory inventory, ManagedCertificates slots, Clock clock) {
        this.inventory = inventory;
        this.slots = slots;
        this.clock = clock;
    }

    @Override
    public Optional<ApiTokens.ApiPrincipal> authenticate(X509Certificate leaf) {
        byte[] der;
        SerialNumber serial;
        try {
            der = leaf.getEncoded();
            serial = new SerialNumber(leaf.getSerialNumber());
        } catch (CertificateEncodingException | dev.certwright.x509.X509Exception e) {
            return Optional.empty(); // not one of ours: we never issue a serial that is not positive
        }
        Instant now = clock.instant();
        // Keyed by (issuer, serial), RFC 5280 §4.1.2.2: another CA's imported certificate may reuse the serial.
        String issuerDn = leaf.getIssuerX500Principal().getName(javax.security.auth.x500.X500Principal.RFC2253);
        for (CertificateRecord record : inventory.findByIssuerAndSerial(issuerDn, serial).stream().toList()) {
            if (!Arrays.equals(record.der(), der)) {
                continue;
            }
            if (record.managedName() == null || record.status() != CertificateStatus.ISSUED || record.notBefore().isAfter(now)
                    || !record.notAfter().isAfter(now)) {
                return Optional.empty();
            }
            Long current = slots.find(record.managedName()).map(ManagedCertificate::currentCertificateId).orElse(null);
            if (current != null && (current == record.id() || current.equals(record.successorId()))) {
                return Optional.of(new ApiTokens.ApiPrincipal(record.id(), record.managedName() + "/" + serial.hex(), Roles.SERVICE,
                        List.of(record.managedName()), true));
            }
            return Optional.empty();
        }
        return Optional.empty();
    }
}
