package dev.certwright.api;

import java.util.List;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.InventoryException;
import dev.certwright.x509.SerialNumber;

/** Finds the certificate a path's serial names. */
final class CertificateLookup {

    private CertificateLookup() {
    }

    /** Looks a serial up; when several issuers used it (imports), {@code issuer} (our name or the DN) picks one. */
    static CertificateRecord bySerial(CertificateInventory inventory, String serial, String issuer) {
        List<CertificateRecord> found = inventory.findBySerial(SerialNumber.parse(serial));
        if (issuer != null) {
            found = found.stream().filter(r -> issuer.equals(r.issuerName()) || issuer.equals(r.issuerDn())).toList();
        }
        if (found.isEmpty()) {
            throw new InventoryException(InventoryException.Type.NOT_FOUND, "no certificate with serial " + SerialNumber.parse(serial));
        }
        if (found.size() > 1) {
            throw new InventoryException(InventoryException.Type.AMBIGUOUS, "serial " + SerialNumber.parse(serial)
                    + " is used by several issuers; add ?issuer= with one of " + found.stream().map(CertificateRecord::issuerDn).toList());
        }
        return found.get(0);
    }
}
