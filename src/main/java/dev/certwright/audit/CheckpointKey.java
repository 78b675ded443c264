package dev.certwright.audit;

import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPrivateKeySpec;
import java.security.spec.ECPublicKeySpec;

import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.jcajce.provider.asymmetric.util.EC5Util;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;

/**
 * The P-256 key that signs audit checkpoints (ES256, RFC 7518 §3.4), derived from secret bytes that come from the CA's
 * key-encryption key: d = (seed mod (n - 1)) + 1 over at least 384 bits of seed, so that the bias against a uniform
 * scalar is below 2^-128 (FIPS 186-5 A.2.1, "extra random bits"). Every node derives the same key; nothing is stored.
 */
final class CheckpointKey {

    private CheckpointKey() {
    }

    static ECKey derive(byte[] seed) {
        if (seed.length < 48) {
            throw new IllegalArgumentException("the checkpoint key needs at least 384 bits of seed");
        }
        X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
        BigInteger n = curve.getN();
        BigInteger d = new BigInteger(1, seed).mod(n.subtract(BigInteger.ONE)).add(BigInteger.ONE);
        var point = curve.getG().multiply(d).normalize();
        try {
            var spec = EC5Util.convertToSpec(curve);
            KeyFactory factory = KeyFactory.getInstance("EC");
            ECPublicKey publicKey = (ECPublicKey) factory.generatePublic(new ECPublicKeySpec(
                    new java.security.spec.ECPoint(point.getAffineXCoord().toBigInteger(), point.getAffineYCoord().toBigInteger()), spec));
            ECPrivateKey privateKey = (ECPrivateKey) factory.generatePrivate(new ECPrivateKeySpec(d, spec));
            return new ECKey.Builder(Curve.P_256, publicKey).privateKey(privateKey).keyIDFromThumbprint().build();
        } catch (java.security.GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException("cannot derive the audit checkpoint key", e);
        }
    }
}
