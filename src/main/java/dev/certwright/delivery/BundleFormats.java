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

import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedBundle;
import dev.certwright.x509.Pem;

/**
 * The three bundle encodings, part of the delivery API: the format names a request may ask for, the check of a
 * request's format and PKCS#12 password, and the strong entity tag of an instance in a format.
 */
public final class BundleFormats {

    /** The default: certificate, chain and key as PEM. */
    public static final String PEM = "pem";
    /** PKCS#12, encrypted with the caller's password. */
    public static final String PKCS12 = "pkcs12";
    /** A JSON document with the PEM texts and the dates. */
    public static final String JSON = "json";
    static final List<String> ALL = List.of(PEM, PKCS12, JSON);
    /** The header that carries the PKCS#12 password (a header, so that it stays out of access logs). */
    public static final String PASSWORD_HEADER = "Certwright-Bundle-Password";

    private BundleFormats() {
    }

    /** 400 unless the format is known and, for PKCS#12, the password has 8 to 256 characters. */
    public static void check(String format, String password) {
        if (!ALL.contains(format)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "format must be one of " + ALL);
        }
        if (PKCS12.equals(format) && (password == null || password.length() < 8 || password.length() > 256)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                    "format=pkcs12 needs a password of 8 to 256 characters in the " + PASSWORD_HEADER + " header");
        }
    }

    /** The strong entity tag (RFC 9110 §8.8.3) of this instance in this format. */
    public static String etag(ManagedBundle bundle, String format) {
        return "\"" + bundle.record().serial().hex() + "." + format + "\"";
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
