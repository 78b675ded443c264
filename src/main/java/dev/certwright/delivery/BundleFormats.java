package dev.certwright.delivery;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.certwright.issuance.ManagedBundle;
import dev.certwright.x509.Pem;

/** The three bundle encodings. */
final class BundleFormats {

    static final String PEM = "pem";
    static final String PKCS12 = "pkcs12";
    static final String JSON = "json";
    static final List<String> ALL = List.of(PEM, PKCS12, JSON);

    private BundleFormats() {
    }

    /** The leaf, then its chain up to (not including) the root, then the PKCS#8 private key. */
    static byte[] pem(ManagedBundle bundle) {
        StringBuilder out = new StringBuilder(Pem.encode(bundle.certificate()));
        out.append(Pem.encodeChain(bundle.chain()));
        out.append(Pem.encode(Pem.PRIVATE_KEY, bundle.privateKey().getEncoded()));
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static Map<String, Object> json(ManagedBundle bundle) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", bundle.name());
        out.put("serial", bundle.record().serial().hex());
        out.put("notBefore", bundle.record().notBefore());
        out.put("notAfter", bundle.record().notAfter());
        out.put("certificatePem", Pem.encode(bundle.certificate()));
        out.put("chainPem", Pem.encodeChain(bundle.chain()));
        out.put("privateKeyPem", Pem.encode(Pem.PRIVATE_KEY, bundle.privateKey().getEncoded()));
        return out;
    }

    /** PKCS#12 (the JDK's: PBES2 with AES-256 and HMAC-SHA256), the key entry named after the slot. */
    static byte[] pkcs12(ManagedBundle bundle, char[] password) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            List<X509Certificate> chain = new ArrayList<>();
            chain.add(bundle.certificate());
            chain.addAll(bundle.chain());
            store.setKeyEntry(bundle.name(), bundle.privateKey(), password, chain.toArray(Certificate[]::new));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, password);
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException("cannot encode the bundle of " + bundle.name() + " as PKCS#12", e);
        }
    }
}
