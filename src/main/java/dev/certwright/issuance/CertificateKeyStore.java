package dev.certwright.issuance;

import java.util.List;
import java.util.Map;

import org.springframework.stereotype.Component;

import dev.certwright.inventory.CertificateInventory;
import dev.certwright.keys.KeyWrapping;
import dev.certwright.keys.WrappedKeyStore;

/**
 * The certificates' wrapped private keys (managed certificates and OCSP responders) as a KEK rotation sees them
 * (decision 68), through the inventory, which owns the table. Each is bound to its certificate row's id.
 */
@Component
class CertificateKeyStore implements WrappedKeyStore {

    private final CertificateInventory inventory;

    CertificateKeyStore(CertificateInventory inventory) {
        this.inventory = inventory;
    }

    @Override
    public String kind() {
        return "certificate-keys";
    }

    @Override
    public Map<String, Long> countByKek() {
        return inventory.keyCountsByKek();
    }

    @Override
    public List<StoredKey> under(String kekId, long afterId, int limit) {
        return inventory.keysUnder(kekId, afterId, limit).stream()
                .map(row -> new StoredKey(row.certificateId(), CertificateIssuance.keyContext(row.certificateId()), row.key().kekId(), row.key().bytes()))
                .toList();
    }

    @Override
    public boolean replace(long rowId, String fromKekId, KeyWrapping.Wrapped rewrapped) {
        return inventory.replaceKey(rowId, fromKekId, new CertificateInventory.WrappedKey(rewrapped.kekId(), rewrapped.bytes()));
    }
}
