package dev.certwright.x509;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;

/**
 * The key algorithms Certwright generates and accepts, by their request names: {@code RSA-2048},
 * {@code RSA-3072}, {@code RSA-4096}, {@code EC-P256}, {@code EC-P384}, {@code EC-P521}, {@code Ed25519}. EC keys are
 * told apart by their curve's OID.
 */
public enum KeySpec {
    RSA_2048("RSA-2048", "RSA", 2048, "SHA256withRSA", null),
    RSA_3072("RSA-3072", "RSA", 3072, "SHA256withRSA", null),
    RSA_4096("RSA-4096", "RSA", 4096, "SHA256withRSA", null),
    EC_P256("EC-P256", "EC", 256, "SHA256withECDSA", "1.2.840.10045.3.1.7"),
    EC_P384("EC-P384", "EC", 384, "SHA384withECDSA", "1.3.132.0.34"),
    /** P-521: accepted only where the policy's keyAlgorithms lists it; the shipped configurations do not. */
    EC_P521("EC-P521", "EC", 521, "SHA512withECDSA", "1.3.132.0.35"),
    ED25519("Ed25519", "Ed25519", 255, "Ed25519", null);

    private final String id;
    private final String family;
    private final int bits;
    private final String signatureAlgorithm;
    /** The NIST curve's OID (RFC 5480 §2.1.1.1), for EC. */
    private final String curveOid;

    KeySpec(String id, String family, int bits, String signatureAlgorithm, String curveOid) {
        this.id = id;
        this.family = family;
        this.bits = bits;
        this.signatureAlgorithm = signatureAlgorithm;
        this.curveOid = curveOid;
    }

    /** The request name, such as {@code EC-P256}. */
    public String id() {
        return id;
    }

    /** RSA, EC or Ed25519. */
    public String family() {
        return family;
    }

    public int bits() {
        return bits;
    }

    /** The JCA signature algorithm a key of this kind signs with. */
    public String signatureAlgorithm() {
        return signatureAlgorithm;
    }

    /** Looks a request name up, case-insensitively. */
    public static KeySpec fromId(String id) {
        return Arrays.stream(values())
                .filter(k -> k.id.equalsIgnoreCase(id == null ? "" : id.trim()))
                .findFirst()
                .orElseThrow(() -> new X509Exception("unknown key algorithm '" + id + "'; known: "
                        + String.join(", ", Arrays.stream(values()).map(KeySpec::id).toList())));
    }

    /** Generates a key pair of this kind. RSA keys use the public exponent 65537. */
    public KeyPair generate(SecureRandom random) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(family);
            switch (family) {
                case "RSA" -> generator.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), random);
                case "EC" -> generator.initialize(new ECGenParameterSpec(curveOid), random);
                default -> generator.initialize(255, random);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a " + id + " key", e);
        }
    }

    /** Describes a public key: its family, size and request name (RSA of other sizes gets {@code RSA-<bits>}). */
    public static KeyDescription describe(PublicKey key) {
        if (key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            return new KeyDescription("RSA", bits, "RSA-" + bits, rsa.getPublicExponent());
        }
        if (key instanceof ECPublicKey ec) {
            // The curve by its OID, never by its size: secp256k1 is 256 bits too, and is not P-256 (RFC 5480 §2.1.1.1).
            int bits = ec.getParams().getOrder().bitLength();
            String oid = namedCurveOid(key);
            if (oid == null) {
                // RFC 5480 §2.1.1: PKIX certificates name their curve; explicit parameters are not one we accept.
                return new KeyDescription("EC", bits, "EC-explicit-parameters", null);
            }
            for (KeySpec spec : values()) {
                if (oid.equals(spec.curveOid)) {
                    return new KeyDescription("EC", spec.bits, spec.id, null);
                }
            }
            String curve = ECNamedCurveTable.getName(new ASN1ObjectIdentifier(oid));
            return new KeyDescription("EC", bits, "EC-" + (curve != null ? curve : oid), null);
        }
        if (key instanceof EdECPublicKey ed) {
            String curve = ed.getParams().getName();
            return "Ed25519".equalsIgnoreCase(curve)
                    ? new KeyDescription("Ed25519", 255, "Ed25519", null)
                    : new KeyDescription("Ed448", 448, "Ed448", null);
        }
        String algorithm = key.getAlgorithm() == null ? "unknown" : key.getAlgorithm();
        return new KeyDescription(algorithm, 0, algorithm.toUpperCase(Locale.ROOT), null);
    }

    /** The namedCurve OID of an EC key's SubjectPublicKeyInfo, or null when it has explicit parameters or does not parse. */
    private static String namedCurveOid(PublicKey key) {
        try {
            ASN1Encodable parameters = SubjectPublicKeyInfo.getInstance(key.getEncoded()).getAlgorithm().getParameters();
            return parameters instanceof ASN1ObjectIdentifier oid ? oid.getId() : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The spec for a public key, if it is one we name. */
    public static java.util.Optional<KeySpec> of(PublicKey key) {
        String name = describe(key).name();
        return Arrays.stream(values()).filter(k -> k.id.equals(name)).findFirst();
    }

    /** What a public key is: family (RSA, EC, Ed25519), size in bits, request name, and the RSA exponent. */
    public record KeyDescription(String family, int bits, String name, BigInteger rsaExponent) {
    }
}
