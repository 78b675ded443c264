package dev.certwright.x509;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads the certificates out of an uploaded file: a PEM bundle (RFC 7468), one DER certificate, PKCS#7 (RFC 2315, PEM
 * or DER), PKCS#12 (RFC 7292), JKS, or a zip, tar or tar.gz of any of these (a gzip of one such file too). Archives
 * are read one level deep: an archive inside an archive is rejected, so the bounds on expanded bytes and entries hold.
 * Private keys found are counted and dropped, unless the caller asks to keep them (a managed slot's key, decision 74).
 * Each problem is one {@link Rejected} row; only limits that make the whole upload unsafe throw.
 * Certificates are handed to a consumer as they are read, so a caller need not hold them all.
 */
public final class CertificateBundles {

    /**
     * Bounds on one upload; every archive entry counts against the same totals.
     *
     * @param maxExpansionRatio how many times its own size an upload may expand to (past the first MiB): a
     *        compression bomb is refused as soon as it passes the ratio, long before the byte bound
     */
    public record Limits(long maxUncompressedBytes, int maxEntries, int maxCertificates, int maxExpansionRatio) {
        public static final Limits DEFAULT = new Limits(256L * 1024 * 1024, 10_000, 200_000, 100);

        public Limits(long maxUncompressedBytes, int maxEntries, int maxCertificates) {
            this(maxUncompressedBytes, maxEntries, maxCertificates, DEFAULT.maxExpansionRatio);
        }
    }

    /** Expansion below this is never refused for its ratio: a small PEM file in a zip may compress very well. */
    static final long RATIO_FLOOR = 1024 * 1024;

    /** One certificate found, with the item it came from: file name and index in it. */
    public record Found(String item, X509Certificate certificate) {
    }

    /** One part of the upload that could not be read, and why (safe to show the client). */
    public record Rejected(String item, String reason) {
    }

    /** A private key found in the upload, kept only when asked for; its text form never shows the key. */
    public record FoundKey(String item, PrivateKey key) {
        @Override
        public String toString() {
            return "FoundKey[" + item + ", " + key.getAlgorithm() + "]";
        }
    }

    /** What the upload held. */
    public record Contents(List<Found> certificates, List<Rejected> rejected, int keysIgnored) {
    }

    /** What a streamed read found besides the certificates it handed on. */
    public record Summary(int certificates, List<Rejected> rejected, int keys, List<FoundKey> keptKeys) {
    }

    /** The upload as a whole is refused: too big, expands too far, too many entries or certificates. */
    public static final class LimitExceeded extends X509Exception {
        public LimitExceeded(String message) {
            super(message);
        }
    }

    private final Limits limits;
    private final long uploadBytes;
    private final char[] password;
    private final boolean keepKeys;
    private final Consumer<Found> sink;
    private final List<Rejected> rejected = new ArrayList<>();
    private final List<FoundKey> keptKeys = new ArrayList<>();
    private int certificates;
    private int keys;
    private long bytes;
    private int entries;

    private CertificateBundles(Limits limits, long uploadBytes, char[] password, boolean keepKeys, Consumer<Found> sink) {
        this.limits = limits;
        this.uploadBytes = uploadBytes;
        this.password = password;
        this.keepKeys = keepKeys;
        this.sink = sink;
    }

    /** Reads {@code data}, named {@code name}; {@code password} opens PKCS#12 and JKS (may be null). Keys are dropped. */
    public static Contents read(String name, byte[] data, char[] password, Limits limits) {
        List<Found> found = new ArrayList<>();
        Summary summary = stream(name, data, password, limits, false, found::add);
        return new Contents(Collections.unmodifiableList(found), summary.rejected(), summary.keys());
    }

    /**
     * Reads {@code data} and hands each certificate to {@code sink} as it is found. With {@code keepKeys} the private
     * keys are returned too (decrypted with {@code password} where they are encrypted); else only counted.
     */
    public static Summary stream(String name, byte[] data, char[] password, Limits limits, boolean keepKeys, Consumer<Found> sink) {
        CertificateBundles reader = new CertificateBundles(limits, data.length, password, keepKeys, sink);
        reader.count(data.length);
        String top = safeName(name);
        reader.readFile(top == null ? "upload" : top, data, true);
        return new Summary(reader.certificates, Collections.unmodifiableList(reader.rejected), reader.keys,
                Collections.unmodifiableList(reader.keptKeys));
    }

    private void readFile(String name, byte[] data, boolean outer) {
        if (isZip(data) || isTar(data) || isGzip(data)) {
            if (!outer) {
                rejected.add(new Rejected(name, "nested archive: archives are read one level deep"));
                return;
            }
            if (isZip(data)) {
                readZip(name, data);
            } else if (isTar(data)) {
                readTar(name, new ByteArrayInputStream(data));
            } else {
                readGzip(name, data);
            }
        } else if (isPem(data)) {
            readPem(name, data);
        } else if (isJks(data)) {
            readKeyStore(name, data, "JKS");
        } else if (data.length > 0 && data[0] == 0x30) {
            readDer(name, data);
        } else {
            rejected.add(new Rejected(name, "not a certificate, PKCS#7, PKCS#12, JKS, zip, tar or gzip file"));
        }
    }

    private void readZip(String name, byte[] data) {
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                if (entry(name, entry.getName(), entry.isDirectory())) {
                    readFile(name + "!" + safeName(entry.getName()), readBounded(zip), false);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            rejected.add(new Rejected(name, "malformed zip archive"));
        }
    }

    /** A gzip stream (RFC 1952): a tar inside is read as the archive; any other file inside as that file. */
    private void readGzip(String name, byte[] data) {
        byte[] expanded;
        try (InputStream gzip = GzipCompressorInputStream.builder().setByteArray(data).setDecompressConcatenated(true).get()) {
            byte[] head = gzip.readNBytes(512);
            count(head.length);
            if (isTar(head)) {
                readTar(name, new java.io.SequenceInputStream(new ByteArrayInputStream(head), gzip));
                return;
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(head);
            out.write(readBounded(gzip));
            expanded = out.toByteArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof LimitExceeded l) {
                throw l;
            }
            rejected.add(new Rejected(name, "malformed gzip data"));
            return;
        }
        String inner = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
        if (isZip(expanded) || isGzip(expanded)) {
            rejected.add(new Rejected(inner, "nested archive: archives are read one level deep"));
        } else {
            readFile(inner, expanded, true);
        }
    }

    /** A POSIX tar (ustar, pax or GNU): regular files only; links and devices are rejected as items. */
    private void readTar(String name, InputStream in) {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                if (entry.isSymbolicLink() || entry.isLink() || entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                    if (++entries > limits.maxEntries()) {
                        throw new LimitExceeded("the archive has more than " + limits.maxEntries() + " entries");
                    }
                    rejected.add(new Rejected(name + "!" + sanitize(entry.getName()), "not a regular file (a link or device)"));
                    continue;
                }
                if (entry(name, entry.getName(), entry.isDirectory())) {
                    readFile(name + "!" + safeName(entry.getName()), readBounded(tar), false);
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            rejected.add(new Rejected(name, "malformed tar archive"));
        }
    }

    /** Counts an archive entry; true when it is a file whose name is safe to read. */
    private boolean entry(String archive, String entryName, boolean directory) {
        if (++entries > limits.maxEntries()) {
            throw new LimitExceeded("the archive has more than " + limits.maxEntries() + " entries");
        }
        if (directory) {
            return false;
        }
        if (safeName(entryName) == null) {
            rejected.add(new Rejected(archive + "!" + sanitize(entryName), "unsafe entry name"));
            return false;
        }
        return true;
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
        // Counted from the upload itself, which is in bytes too: a 1 MiB bomb is stopped at 100 MiB, not at the bound.
        if (bytes > RATIO_FLOOR && bytes - uploadBytes > (long) limits.maxExpansionRatio() * uploadBytes) {
            throw new LimitExceeded("the upload expands to more than " + limits.maxExpansionRatio() + " times its size");
        }
    }

    /** PEM blocks one after the other, without holding the text: a bad block is one rejected item, the rest are read. */
    private void readPem(String name, byte[] data) {
        int index = 0;
        try (PemReader reader = new PemReader(new InputStreamReader(new ByteArrayInputStream(data), StandardCharsets.US_ASCII))) {
            while (true) {
                String item = name + "#" + index;
                PemObject object;
                try {
                    object = reader.readPemObject();
                } catch (IOException | RuntimeException e) {
                    rejected.add(new Rejected(item, "malformed PEM block"));
                    index++;
                    continue;
                }
                if (object == null) {
                    break;
                }
                index++;
                pemObject(item, object);
            }
        } catch (IOException e) {
            rejected.add(new Rejected(name, "malformed PEM"));
        }
        if (index == 0) {
            rejected.add(new Rejected(name, "no PEM block found"));
        }
    }

    private void pemObject(String item, PemObject object) {
        String type = object.getType();
        switch (type) {
            case Pem.CERTIFICATE, "X509 CERTIFICATE", "TRUSTED CERTIFICATE" -> certificate(item, object.getContent());
            case "PKCS7", "CMS" -> readPkcs7(item, object.getContent());
            default -> {
                if (type.endsWith("PRIVATE KEY")) {
                    keys++;
                    if (keepKeys) {
                        pemKey(item, object);
                    }
                } else {
                    rejected.add(new Rejected(item, "unexpected PEM block '" + sanitize(type) + "'"));
                }
            }
        }
    }

    /** PKCS#8 (RFC 5958), encrypted PKCS#8 (RFC 5958 §3) or the OpenSSL forms (RFC 8017 RSA, RFC 5915 EC), by Bouncy Castle. */
    private void pemKey(String item, PemObject object) {
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try (PEMParser parser = new PEMParser(new java.io.StringReader(Pem.encode(object.getType(), object.getContent())))) {
            Object parsed = parser.readObject();
            PrivateKey key;
            if (parsed instanceof PrivateKeyInfo info) {
                key = converter.getPrivateKey(info);
            } else if (parsed instanceof PEMKeyPair pair) {
                key = converter.getKeyPair(pair).getPrivate();
            } else if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                if (password == null) {
                    rejected.add(new Rejected(item, "encrypted private key and no password"));
                    return;
                }
                try {
                    key = converter.getPrivateKey(encrypted.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(bouncyCastle()).build(password)));
                } catch (Exception e) {
                    rejected.add(new Rejected(item, "wrong password for the private key"));
                    return;
                }
            } else {
                rejected.add(new Rejected(item, "unsupported private key form"));
                return;
            }
            keptKeys.add(new FoundKey(item, key));
        } catch (IOException | RuntimeException e) {
            rejected.add(new Rejected(item, "malformed private key")); // never the key's bytes
        }
    }

    /** PBES2 with AES-CBC (RFC 8018 §6.2), as openssl writes it, needs Bouncy Castle's cipher names; the server has it installed. */
    private static java.security.Provider bouncyCastle() {
        java.security.Provider installed = java.security.Security.getProvider(org.bouncycastle.jce.provider.BouncyCastleProvider.PROVIDER_NAME);
        return installed != null ? installed : new org.bouncycastle.jce.provider.BouncyCastleProvider();
    }

    private void readDer(String name, byte[] data) {
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
        readKeyStore(name, data, "PKCS12");
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
            var found = factory.generateCertificates(new ByteArrayInputStream(der));
            String base = item.endsWith("#0") ? item.substring(0, item.length() - 2) : item;
            int index = 0;
            for (Certificate certificate : found) {
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

    private void readKeyStore(String name, byte[] data, String type) {
        for (String candidate : new String[] {type, "JKS"}) {
            try {
                KeyStore store = KeyStore.getInstance(candidate);
                store.load(new ByteArrayInputStream(data), password);
                int index = 0;
                for (String alias : Collections.list(store.aliases())) {
                    if (store.isKeyEntry(alias)) {
                        keys++;
                        Certificate[] chain = store.getCertificateChain(alias);
                        if (keepKeys) {
                            storeKey(name + "#" + index, store, alias);
                        }
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

    private void storeKey(String item, KeyStore store, String alias) {
        try {
            Key key = store.getKey(alias, password);
            if (key instanceof PrivateKey privateKey) {
                keptKeys.add(new FoundKey(item, privateKey));
            }
        } catch (Exception e) {
            rejected.add(new Rejected(item, "the key entry does not open with the password"));
        }
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
        if (certificates >= limits.maxCertificates()) {
            throw new LimitExceeded("the upload holds more than " + limits.maxCertificates() + " certificates");
        }
        certificates++;
        sink.accept(new Found(item, certificate));
    }

    private static boolean isZip(byte[] data) {
        return data.length >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4;
    }

    /** The gzip magic number, 1F 8B (RFC 1952 §2.3.1). */
    private static boolean isGzip(byte[] data) {
        return data.length >= 2 && (data[0] & 0xff) == 0x1f && (data[1] & 0xff) == 0x8b;
    }

    /** A tar header block: commons-compress checks the magic ("ustar" and the GNU and old forms) and the checksum. */
    private static boolean isTar(byte[] data) {
        return data.length >= 512 && TarArchiveInputStream.matches(data, 512) && headerChecksumOk(data);
    }

    private static boolean headerChecksumOk(byte[] data) {
        return org.apache.commons.compress.archivers.tar.TarUtils.verifyCheckSum(java.util.Arrays.copyOf(data, 512));
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
