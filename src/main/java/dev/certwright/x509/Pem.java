package dev.certwright.x509;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/** PEM encoding and decoding (RFC 7468), through Bouncy Castle's PEM reader and writer. */
public final class Pem {

    public static final String CERTIFICATE = "CERTIFICATE";
    public static final String CERTIFICATE_REQUEST = "CERTIFICATE REQUEST";
    public static final String PRIVATE_KEY = "PRIVATE KEY";
    /** Largest DER certificate we parse from outside: real ones are 1 to 4 KB, a few with many names reach 20 KB. */
    public static final int MAX_CERTIFICATE = 64 * 1024;

    private Pem() {
    }

    /** Encodes one DER object under the given label. */
    public static String encode(String label, byte[] der) {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(label, der));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Encodes a certificate. */
    public static String encode(X509Certificate certificate) {
        try {
            return encode(CERTIFICATE, certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new X509Exception("certificate cannot be encoded", e);
        }
    }

    /** Encodes a chain, leaf first, as concatenated PEM blocks. */
    public static String encodeChain(List<X509Certificate> chain) {
        StringBuilder out = new StringBuilder();
        chain.forEach(c -> out.append(encode(c)));
        return out.toString();
    }

    /** Decodes every PEM block in the text; text outside blocks is ignored, as RFC 7468 §2 allows. */
    public static List<PemObject> decodeAll(String text) {
        if (text == null || text.isBlank()) {
            throw new X509Exception("no PEM data");
        }
        List<PemObject> objects = new ArrayList<>();
        try (PemReader reader = new PemReader(new StringReader(text))) {
            PemObject object;
            while ((object = reader.readPemObject()) != null) {
                objects.add(object);
            }
        } catch (IOException | RuntimeException e) {
            throw new X509Exception("malformed PEM: " + e.getMessage(), e);
        }
        if (objects.isEmpty()) {
            throw new X509Exception("no PEM block found");
        }
        return objects;
    }

    /** Decodes exactly one PEM block with the expected label. */
    public static byte[] decodeOne(String text, String label) {
        List<PemObject> objects = decodeAll(text);
        if (objects.size() != 1) {
            throw new X509Exception("expected one PEM block '" + label + "', found " + objects.size());
        }
        PemObject object = objects.get(0);
        if (!label.equals(object.getType()) && !("NEW " + label).equals(object.getType())) {
            throw new X509Exception("expected a PEM block '" + label + "', found '" + object.getType() + "'");
        }
        return object.getContent();
    }

    /** Decodes one or more certificates, in the order given. */
    public static List<X509Certificate> decodeCertificates(String text) {
        List<X509Certificate> out = new ArrayList<>();
        for (PemObject object : decodeAll(text)) {
            if (!CERTIFICATE.equals(object.getType())) {
                throw new X509Exception("expected only CERTIFICATE blocks, found '" + object.getType() + "'");
            }
            out.add(certificate(object.getContent()));
        }
        return out;
    }

    /** Parses one DER certificate. */
    public static X509Certificate certificate(byte[] der) {
        Asn1Limits.check(der, MAX_CERTIFICATE);
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(der));
        } catch (CertificateException | RuntimeException e) {
            throw new X509Exception("malformed certificate", e);
        }
    }
}
