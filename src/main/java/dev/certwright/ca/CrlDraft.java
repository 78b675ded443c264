package dev.certwright.ca;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Object;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DERBitString;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.operator.ContentSigner;

import dev.certwright.x509.RevocationReason;

/**
 * A CRL being built (RFC 5280 §5.1), streaming: entries are DER-encoded one at a time by Bouncy Castle into a temporary
 * file, so a million revoked certificates never become a million objects in memory. {@link #writeTo} then signs the
 * TBSCertList by streaming it through the signer, and writes the CertificateList. Close it to delete the file; a
 * process killed before that leaves it in the work directory, which its owner empties at start.
 * <p>
 * Every element is encoded by Bouncy Castle. The one thing written here is the tag and definite length of the two
 * SEQUENCEs that wrap the entries (X.690 §8.1.3), because their length is known only after the last entry and Bouncy
 * Castle's generators would buffer the whole content in memory to learn it.
 */
public final class CrlDraft implements AutoCloseable {

    private static final int SEQUENCE = 0x30;
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", java.util.Locale.ROOT);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'", java.util.Locale.ROOT);
    private static final Map<RevocationReason, Extensions> REASON_EXTENSIONS = new EnumMap<>(RevocationReason.class);

    static {
        for (RevocationReason reason : RevocationReason.values()) {
            try {
                REASON_EXTENSIONS.put(reason, new Extensions(new Extension(Extension.reasonCode, false,
                        new DEROctetString(CRLReason.lookup(reason.code()).getEncoded(ASN1Encoding.DER)))));
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    private final ContentSigner signer;
    private final X500Name issuer;
    private final Instant thisUpdate;
    private final Instant nextUpdate;
    private final List<Extension> extensions;
    private final Path entriesFile;
    private final OutputStream entries;
    private long entriesLength;
    private long count;

    CrlDraft(ContentSigner signer, X500Name issuer, Instant thisUpdate, Instant nextUpdate, List<Extension> extensions, Path workDirectory) {
        this.signer = signer;
        this.issuer = issuer;
        this.thisUpdate = thisUpdate;
        this.nextUpdate = nextUpdate;
        this.extensions = new ArrayList<>(extensions);
        try {
            this.entriesFile = workDirectory == null ? Files.createTempFile("certwright-crl-", ".entries")
                    : Files.createTempFile(workDirectory, "certwright-crl-", ".entries");
            this.entries = new BufferedOutputStream(Files.newOutputStream(entriesFile), 1 << 16);
        } catch (IOException e) {
            throw new CaException(CaException.Type.SIGNING, "cannot create a temporary file for a CRL", e);
        }
    }

    /**
     * Adds one revoked certificate. RFC 5280 §5.3.1: the reasonCode extension is left out for unspecified, as the RFC
     * recommends ("SHOULD be absent instead of using the unspecified (0) reasonCode value").
     */
    public void add(BigInteger serial, Instant revocationDate, RevocationReason reason) {
        ASN1EncodableVector entry = new ASN1EncodableVector(3);
        entry.add(new ASN1Integer(serial));
        entry.add(time(revocationDate));
        if (reason != null && reason != RevocationReason.unspecified) {
            entry.add(REASON_EXTENSIONS.get(reason));
        }
        try {
            byte[] der = new DERSequence(entry).getEncoded(ASN1Encoding.DER);
            entries.write(der);
            entriesLength += der.length;
            count++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a CRL entry to " + entriesFile, e);
        }
    }

    public long entries() {
        return count;
    }

    /** Signs and writes the DER CertificateList. Returns the number of bytes written. */
    public long writeTo(OutputStream out) {
        try {
            entries.close();
            AlgorithmIdentifier algorithm = signer.getAlgorithmIdentifier();
            // TBSCertList (RFC 5280 §5.1.2): version v2, signature, issuer, thisUpdate, nextUpdate, then the entries and
            // the extensions. §5.1.2.6: with no revoked certificates the list is absent, not empty.
            byte[] head = concat(der(new ASN1Integer(1)), der(algorithm), der(issuer), der(time(thisUpdate)), der(time(nextUpdate)));
            byte[] entriesHeader = count == 0 ? new byte[0] : header(SEQUENCE, entriesLength);
            byte[] tail = der(new DERTaggedObject(true, 0, new Extensions(extensions.toArray(Extension[]::new))));
            long tbsLength = head.length + entriesHeader.length + (count == 0 ? 0 : entriesLength) + tail.length;
            byte[] tbsHeader = header(SEQUENCE, tbsLength);

            try (OutputStream signing = signer.getOutputStream()) {
                writeTbs(signing, tbsHeader, head, entriesHeader, tail);
            }
            byte[] signature = der(new DERBitString(signer.getSignature()));
            byte[] algorithmDer = der(algorithm);
            long total = tbsHeader.length + tbsLength + algorithmDer.length + signature.length;
            byte[] outer = header(SEQUENCE, total);
            out.write(outer);
            writeTbs(out, tbsHeader, head, entriesHeader, tail);
            out.write(algorithmDer);
            out.write(signature);
            return outer.length + total;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the CRL", e);
        }
    }

    private void writeTbs(OutputStream out, byte[] tbsHeader, byte[] head, byte[] entriesHeader, byte[] tail) throws IOException {
        out.write(tbsHeader);
        out.write(head);
        if (count > 0) {
            out.write(entriesHeader);
            try (InputStream in = Files.newInputStream(entriesFile)) {
                in.transferTo(out);
            }
        }
        out.write(tail);
    }

    @Override
    public void close() {
        try {
            entries.close();
        } catch (IOException ignored) {
            // the file is deleted next
        }
        try {
            Files.deleteIfExists(entriesFile);
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    /**
     * RFC 5280 §5.1.2.4 and §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, in seconds with Z, formatted
     * with java.time.
     */
    static Time time(Instant instant) {
        ZonedDateTime utc = instant.atZone(ZoneOffset.UTC);
        boolean utcTime = utc.getYear() >= 1950 && utc.getYear() < 2050;
        byte[] text = (utcTime ? UTC_TIME : GENERALIZED_TIME).format(utc).getBytes(StandardCharsets.US_ASCII);
        // Bouncy Castle parses the primitive (tag 23 UTCTime or 24 GeneralizedTime, X.680 §47 and §46) from its
        // encoding; its String constructors re-parse the text through a SimpleDateFormat, 1.5 µs per entry.
        byte[] encoding = new byte[2 + text.length];
        encoding[0] = (byte) (utcTime ? BERTags.UTC_TIME : BERTags.GENERALIZED_TIME);
        encoding[1] = (byte) text.length;
        System.arraycopy(text, 0, encoding, 2, text.length);
        try {
            return Time.getInstance(ASN1Primitive.fromByteArray(encoding));
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode the time " + instant, e);
        }
    }

    private static byte[] der(org.bouncycastle.asn1.ASN1Encodable value) throws IOException {
        return value instanceof ASN1Object o ? o.getEncoded(ASN1Encoding.DER) : value.toASN1Primitive().getEncoded(ASN1Encoding.DER);
    }

    private static byte[] concat(byte[]... parts) {
        int length = 0;
        for (byte[] part : parts) {
            length += part.length;
        }
        byte[] out = new byte[length];
        int at = 0;
        for (byte[] part : parts) {
            System.arraycopy(part, 0, out, at, part.length);
            at += part.length;
        }
        return out;
    }

    /** X.690 §8.1.2 and §8.1.3: identifier octet, then the definite length, short form below 128, else long form. */
    static byte[] header(int tag, long length) {
        if (length < 0x80) {
            return new byte[] {(byte) tag, (byte) length};
        }
        int octets = (64 - Long.numberOfLeadingZeros(length) + 7) / 8;
        byte[] out = new byte[2 + octets];
        out[0] = (byte) tag;
        out[1] = (byte) (0x80 | octets);
        for (int i = 0; i < octets; i++) {
            out[2 + i] = (byte) (length >>> (8 * (octets - 1 - i)));
        }
        return out;
    }
}
