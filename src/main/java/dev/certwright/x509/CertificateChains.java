package dev.certwright.x509;

import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.security.auth.x500.X500Principal;

/**
 * Checks a chain given leaf first, each certificate followed by its issuer, the way RFC 5280 §6.1 would walk it from
 * the other end: no certificate repeats (a loop), every issuer is a CA allowed to sign certificates, every signature
 * verifies with the next certificate's key, and no issuer's path length constraint is exceeded. It does not check
 * validity dates or trust: an imported chain may be expired, and its root need not be ours.
 */
public final class CertificateChains {

    /** A chain longer than this is not a chain anyone deploys. */
    public static final int MAX_LENGTH = 10;

    private CertificateChains() {
    }

    /** Throws {@link ChainException} saying which certificate (counted from 1, leaf first) breaks the chain. */
    public static void checkOrdered(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new ChainException("no certificate given");
        }
        if (chain.size() > MAX_LENGTH) {
            throw new ChainException("the chain holds " + chain.size() + " certificates; at most " + MAX_LENGTH + " are accepted");
        }
        // RFC 5280 §6.1: a path never holds the same certificate twice, and no two share subject and key (a loop).
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < chain.size(); i++) {
            X509Certificate c = chain.get(i);
            if (!seen.add(identity(c))) {
                throw new ChainException("certificate " + (i + 1) + " repeats an earlier certificate of the chain (subject "
                        + c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "): the chain loops");
            }
        }
        int intermediatesBelow = 0;
        for (int i = 0; i + 1 < chain.size(); i++) {
            X509Certificate child = chain.get(i);
            X509Certificate parent = chain.get(i + 1);
            int n = i + 2;
            if (!child.getIssuerX500Principal().equals(parent.getSubjectX500Principal())) {
                throw new ChainException("certificate " + (i + 1) + " names issuer " + child.getIssuerX500Principal().getName(X500Principal.RFC2253)
                        + " but certificate " + n + " is " + parent.getSubjectX500Principal().getName(X500Principal.RFC2253)
                        + "; give the leaf first, then each issuer in order");
            }
            // RFC 5280 §4.2.1.9: only a certificate with cA TRUE may sign certificates; §4.2.1.3: and keyCertSign if it has a key usage.
            if (parent.getBasicConstraints() < 0) {
                throw new ChainException("certificate " + n + " issues certificate " + (i + 1) + " but is not a CA (basicConstraints cA is FALSE or absent)");
            }
            boolean[] usage = parent.getKeyUsage();
            if (usage != null && (usage.length < 6 || !usage[5])) {
                throw new ChainException("certificate " + n + " issues certificate " + (i + 1) + " but its key usage lacks keyCertSign");
            }
            try {
                child.verify(parent.getPublicKey());
            } catch (Exception e) {
                throw new ChainException("the signature of certificate " + (i + 1) + " does not verify with the key of certificate " + n);
            }
            // RFC 5280 §4.2.1.9: pathLenConstraint counts the non-self-issued intermediates that may follow below.
            if (i > 0 && !selfIssued(child)) {
                intermediatesBelow++;
            }
            int pathLen = parent.getBasicConstraints();
            if (pathLen != Integer.MAX_VALUE && intermediatesBelow > pathLen) {
                throw new ChainException("certificate " + n + " allows " + pathLen + " intermediate CA certificates below it, but the chain has "
                        + intermediatesBelow + ": the path is too long");
            }
        }
        // RFC 5280 §6.1: the last certificate may not be issued by one that came before it in the chain.
        X509Certificate last = chain.get(chain.size() - 1);
        if (!selfIssued(last)) {
            for (int i = 0; i + 1 < chain.size(); i++) {
                X509Certificate earlier = chain.get(i);
                if (last.getIssuerX500Principal().equals(earlier.getSubjectX500Principal()) && verifies(last, earlier)) {
                    throw new ChainException("certificate " + chain.size() + " is issued by certificate " + (i + 1) + " of the same chain: the chain loops");
                }
            }
        }
    }

    private static boolean selfIssued(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal());
    }

    /** Whether {@code parent}'s public key verifies {@code child}'s signature (RFC 5280 §6.1.3 (a)(1)). */
    public static boolean verifies(X509Certificate child, X509Certificate parent) {
        try {
            child.verify(parent.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static String identity(X509Certificate c) {
        return c.getSubjectX500Principal().getName(X500Principal.RFC2253) + "|" + Arrays.hashCode(c.getPublicKey().getEncoded()) + "|"
                + java.util.HexFormat.of().formatHex(c.getPublicKey().getEncoded());
    }
}
