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

    /**
     * Looks a certificate up by (issuer, serial): {@code issuer} is our issuer's name or any issuer's DN; without it, our
     * own issuers are meant, and another CA's certificate only when no certificate of ours has the serial.
     */
    static CertificateRecord bySerial(CertificateInventory inventory, String serial, String issuer) {
        List<CertificateRecord> found = inventory.findBySerial(SerialNumber.parse(serial));
        if (issuer != null) {
            found = found.stream().filter(r -> issuer.equals(r.issuerName()) || issuer.equals(r.issuerDn())).toList();
        } else {
            // RFC 5280 §4.1.2.2: a serial is unique only per issuer. A bare serial names the certificate of one of our
            // own issuers; an imported certificate of another CA that reuses it is reached with ?issuer= only.
            List<CertificateRecord> ours = found.stream().filter(r -> r.issuerName() != null).toList();
            if (!ours.isEmpty()) {
                found = ours;
            }
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
