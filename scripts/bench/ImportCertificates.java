import java.io.BufferedWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Date;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Writes a PEM bundle of one CA and N leaves it signed, for scripts/bench/import.sh. Made at run time, never kept:
 * one CA key (made here and thrown away), one leaf key shared by every leaf (the import reads certificates only).
 *
 *   java -cp BC_JARS scripts/bench/ImportCertificates.java N OUT.pem
 */
public class ImportCertificates {
    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair ca = generator.generateKeyPair();
        KeyPair leaf = generator.generateKeyPair();
        Instant now = Instant.now();
        X500Name caName = new X500Name("CN=Import Bench CA " + now.toEpochMilli());
        ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(ca.getPrivate());
        try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.US_ASCII)) {
            X509v3CertificateBuilder root = new JcaX509v3CertificateBuilder(caName, BigInteger.ONE, Date.from(now.minus(1, ChronoUnit.DAYS)),
                    Date.from(now.plus(3650, ChronoUnit.DAYS)), caName, ca.getPublic());
            root.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            pem(out, root.build(signer).getEncoded());
            for (int i = 0; i < n; i++) {
                String host = "host-" + i + ".bench.example";
                X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caName, BigInteger.valueOf(1_000_000L + i),
                        Date.from(now.minus(1, ChronoUnit.DAYS)), Date.from(now.plus(90, ChronoUnit.DAYS)), new X500Name("CN=" + host), leaf.getPublic());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, host)));
                pem(out, b.build(signer).getEncoded());
            }
        }
    }

    static void pem(BufferedWriter out, byte[] der) throws Exception {
        out.write("-----BEGIN CERTIFICATE-----\n");
        out.write(Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der));
        out.write("\n-----END CERTIFICATE-----\n");
    }
}
