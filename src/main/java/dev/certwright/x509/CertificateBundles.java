package dev.certwright.x509;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.bouncycastle.util.io.pem.PemObject;

/**
 * Reads the certificates out of an uploaded file: a PEM bundle (RFC 7468), one DER certificate, PKCS#7 (RFC 2315, PEM
 * or DER), PKCS#12 (RFC 7292), JKS, or a zip of any of these. Archives are read one level deep: a zip inside a zip is
 * rejected, so the bound on uncompressed bytes and entries holds. Private keys found are counted, never returned.
 * Each problem is one {@link Rejected} row; only limits that make the whole upload unsafe throw.
 */
public final class CertificateBundles {

    /** Bounds on one upload; every archive entry counts against the same totals. */
    public record Limits(long maxUncompressedBytes, int maxEntries, int maxCertificates) {
        public static final Limits DEFAULT = new Limits(256L * 1024 * 1024, 10_000, 200_000);
    }

    /** One certificate found, with the item it came from: file name and index in it. */
    public record Found(String item, X509Certificate certificate) {
    }

    /** One part of the upload that could not be read, and why (safe to show the client). */
    public record Rejected(String item, String reason) {
    }

    /** What the upload held. */
    public record Contents(List<Found> certificates, List<Rejected> rejected, int keysIgnored) {
    }

    /** The upload as a whole is refused: too big, too many entries or certificates. */
    public static final class LimitExceeded extends X509Exception {
        public LimitExceeded(String message) {
            super(message);
        }
    }

    private final Limits limits;
    private final List<Found> found = new ArrayList<>();
    private final List<Rejected> rejected = new ArrayList<>();
    private int keys;
    private long bytes;
    private int entries;

    private CertificateBundles(Limits limits) {
        this.limits = limits;
    }

    /** Reads {@code data}, named {@code name}; {@code password} opens PKCS#12 and JKS (may be null). */
    public static Contents read(String name, byte[] data, char[] password, Limits limits) {
        CertificateBundles reader = new CertificateBundles(limits);
        reader.count(data.length);
        String top = safeName(name);
        reader.readFile(top == null ? "upload" : top, data, password, true);
        return new Contents(Collections.unmodifiableList(reader.found), Collections.unmodifiableList(reader.rejected), reader.keys);
    }

    private void readFile(String name, byte[] data, char[] password, boolean outer) {
        if (isZip(data)) {
            if (!outer) {
                rejected.add(new Rejected(name, "nested archive: archives are read one level deep"));
                return;
            }
            readZip(name, data, password);
        } else if (isPem(data)) {
            readPem(name, new String(data, StandardCharsets.US_ASCII));
        } else if (isJks(data)) {
            readKeyStore(name, data, password, "JKS");
        } else if (data.length > 0 && data[0] == 0x30) {
            readDer(name, data, password);
        } else {
            rejected.add(new Rejected(name, "not a certificate, PKCS#7, PKCS#12, JKS or zip file"));
        }
    }

    private void readZip(String name, byte[] data, char[] password) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (++entries > limits.maxEntries()) {
                    throw new LimitExceeded("the archive has more than " + limits.maxEntries() + " entries");
                }
                if (entry.isDirectory()) {
                    continue;
                }
                String entryName = safeName(entry.getName());
                if (entryName == null) {
                    rejected.add(new Rejected(name + "!" + sanitize(entry.getName()), "unsafe entry name"));
                    continue;
                }
                readFile(name + "!" + entryName, readBounded(zip), password, false);
            }
        } catch (IOException e) {
            rejected.add(new Rejected(name, "malformed zip archive"));
        }
    }

    /** Reads one entry, counting every byte against the upload's bound: a zip bomb stops at the bound, not at the end. */
    private byte[] readBounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) > 0) {
            count(n);
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private void count(long n) {
        bytes += n;
        if (bytes > limits.maxUncompressedBytes()) {
            throw new LimitExceeded("the upload expands to more than " + limits.maxUncompressedBytes() + " bytes");
        }
    }

    private void readPem(String name, String text) {
        List<PemObject> objects;
        try {
            objects = Pem.decodeAll(text);
        } catch (X509Exception e) {
            rejected.add(new Rejected(name, e.getMessage()));
            return;
        }
        int index = 0;
        for (PemObject object : objects) {
            String item = name + "#" + index++;
            switch (object.getType()) {
                case Pem.CERTIFICATE -> certificate(item, object.getContent());
                case "PKCS7" -> readPkcs7(item, object.getContent());
                default -> {
                    if (object.getType().endsWith("PRIVATE KEY")) {
                        keys++;
                    } else {
                        rejected.add(new Rejected(item, "unexpected PEM block '" + sanitize(object.getType()) + "'"));
                    }
                }
            }
        }
    }

    private void readDer(String name, byte[] data, char[] password) {
        // A certificate (RFC 5280 §4.1), PKCS#7 SignedData (RFC 2315 §7) and PKCS#12 PFX (RFC 7292 §4) are all
        // SEQUENCEs; the JDK's parsers tell them apart, so try each in turn rather than decode ASN.1 by hand.
        if (data.length <= Pem.MAX_CERTIFICATE) {
            X509Certificate certificate = null;
            try {
                certificate = Pem.certificate(data);
            } catch (X509Exception notACertificate) {
                // fall through to the containers
            }
            if (certificate != null) {
                add(name, certificate);
                return;
            }
        }
        if (readPkcs7(name + "#0", data, false)) {
            return;
        }
        readKeyStore(name, data, password, "PKCS12");
    }

    private void readPkcs7(String item, byte[] der) {
        if (!readPkcs7(item, der, true)) {
            rejected.add(new Rejected(item, "malformed PKCS#7"));
        }
    }

    private boolean readPkcs7(String item, byte[] der, boolean reportEmpty) {
        try {
            Asn1Limits.check(der, Math.max(der.length, 1));
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            var certificates = factory.generateCertificates(new ByteArrayInputStream(der));
            String base = item.endsWith("#0") ? item.substring(0, item.length() - 2) : item;
            int index = 0;
            for (Certificate certificate : certificates) {
                add(base + "#" + index++, (X509Certificate) certificate);
            }
            if (index == 0 && reportEmpty) {
                rejected.add(new Rejected(item, "PKCS#7 holds no certificate"));
            }
            return index > 0 || reportEmpty;
        } catch (LimitExceeded e) {
            throw e;
        } catch (Exception e) {
            return false;
        }
    }

    private void readKeyStore(String name, byte[] data, char[] password, String type) {
        for (String candidate : new String[] {type, "JKS"}) {
            try {
                KeyStore store = KeyStore.getInstance(candidate);
                store.load(new ByteArrayInputStream(data), password);
                int index = 0;
                for (String alias : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(alias)) {
                        keys++;
                        Certificate[] chain = store.getCertificateChain(alias);
                        if (chain != null) {
                            for (Certificate c : chain) {
                                add(name + "#" + index++, (X509Certificate) c);
                            }
                        }
                    } else if (store.getCertificate(alias) instanceof X509Certificate c) {
                        add(name + "#" + index++, c);
                    }
                }
                return;
            } catch (LimitExceeded e) {
                throw e;
            } catch (IOException e) {
                if (e.getCause() instanceof java.security.UnrecoverableKeyException) {
                    rejected.add(new Rejected(name, "wrong password for the keystore"));
                    return;
                }
                if (password != null && e.getMessage() != null && e.getMessage().contains("password")) {
                    rejected.add(new Rejected(name, "wrong password for the keystore"));
                    return;
                }
            } catch (Exception e) {
                // try the next type
            }
        }
        rejected.add(new Rejected(name, "not a certificate, PKCS#7, PKCS#12 or JKS file (or a wrong password)"));
    }

    private void certificate(String item, byte[] der) {
        X509Certificate certificate;
        try {
            certificate = Pem.certificate(der);
        } catch (X509Exception e) {
            rejected.add(new Rejected(item, e.getMessage()));
            return;
        }
        add(item, certificate);
    }

    private void add(String item, X509Certificate certificate) {
        if (found.size() >= limits.maxCertificates()) {
            throw new LimitExceeded("the upload holds more than " + limits.maxCertificates() + " certificates");
        }
        found.add(new Found(item, certificate));
    }

    private static boolean isZip(byte[] data) {
        return data.length >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4;
    }

    /** The JKS magic number, 0xFEEDFEED. */
    private static boolean isJks(byte[] data) {
        return data.length >= 4 && (data[0] & 0xff) == 0xFE && (data[1] & 0xff) == 0xED && (data[2] & 0xff) == 0xFE && (data[3] & 0xff) == 0xED;
    }

    private static boolean isPem(byte[] data) {
        String head = new String(data, 0, Math.min(data.length, 4096), StandardCharsets.US_ASCII);
        return head.contains("-----BEGIN ");
    }

    /** An archive entry name without directories; null when it climbs out ({@code ..}) or is absolute. */
    static String safeName(String name) {
        if (name == null || name.isBlank()) {
            return "upload";
        }
        String n = name.replace('\\', '/');
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*") || List.of(n.split("/")).contains("..")) {
            return null;
        }
        return sanitize(n);
    }

    private static String sanitize(String s) {
        String t = s.replaceAll("[^A-Za-z0-9._/!#@+-]", "_");
        return t.length() > 200 ? t.substring(0, 200) : t;
    }
}
