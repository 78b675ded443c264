package dev.certwright.acme.web;

import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.springframework.stereotype.Component;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;

import dev.certwright.acme.domain.Account;
import dev.certwright.acme.store.AccountStore;
import dev.certwright.acme.store.NonceStore;
import dev.certwright.x509.Asn1Limits;
import dev.certwright.x509.ClientErrorLog;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Checks an ACME request's JWS (RFC 8555 §6.2 to §6.5), in order, each step citing the rule it enforces, and hands the
 * controller the verified key or account and the payload. Parsing is Nimbus JOSE's; Ed25519 signatures are checked
 * with the JDK, since Nimbus needs Tink for them.
 */
@Component
public class AcmeRequests {

    /** RFC 8555 §6.2: the algorithms a server must or may accept; never "none" or a MAC. */
    static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.ES256, JWSAlgorithm.ES384, JWSAlgorithm.ES512,
            JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);
    static final String JOSE_JSON = "application/jose+json";

    /** Which key the request must be signed with (RFC 8555 §6.2). */
    public enum Signer {
        /** kid: an existing account (every request but newAccount and revokeCert by certificate key). */
        ACCOUNT,
        /** jwk: a key given in the header (newAccount, and keyChange's inner JWS). */
        JWK,
        /** revokeCert: either. */
        EITHER
    }

    /** A verified request: who signed, and the payload (null for POST-as-GET, RFC 8555 §6.3). */
    public record Verified(Account account, JWK jwk, JsonNode payload, AcmeLinker linker) {

        public boolean postAsGet() {
            return payload == null;
        }
    }

    private final NonceStore nonces;
    private final AccountStore accounts;
    private final JsonMapper json;
    /**
     * Stored account keys by their JWK text, parsed: a key's text never changes meaning, so nothing here goes stale.
     * The account row itself (status, key) is still read on every request.
     */
    private final Cache<String, AccountKey> accountKeys = Caffeine.newBuilder().maximumSize(10_000).build();

    AcmeRequests(NonceStore nonces, AccountStore accounts, JsonMapper json) {
        this.nonces = nonces;
        this.accounts = accounts;
        this.json = json;
    }

    public Verified verify(HttpServletRequest request, byte[] body, Signer signer) {
        AcmeLinker linker = AcmeLinker.of(request);
        // RFC 8555 §6.2: requests are POSTs of application/jose+json.
        String contentType = request.getContentType();
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith(JOSE_JSON)) {
            throw new AcmeException(AcmeProblem.malformed, "the request must have Content-Type " + JOSE_JSON);
        }
        JWSObject jws = parseFlattened(body);
        return verify(jws, linker, linker.requestUrl(request), signer, true);
    }

    /**
     * Checks a parsed JWS. {@code expectedUrl} is the URL the JWS must name; {@code outer} is false for keyChange's inner
     * JWS, which carries no nonce (RFC 8555 §7.3.5).
     */
    public Verified verify(JWSObject jws, AcmeLinker linker, String expectedUrl, Signer signer, boolean outer) {
        JWSHeader header = jws.getHeader();
        // RFC 8555 §6.2: the algorithm must be an asymmetric signature we support.
        if (!ALGORITHMS.contains(header.getAlgorithm())) {
            throw new AcmeException(AcmeProblem.badSignatureAlgorithm, "JWS algorithm '" + header.getAlgorithm() + "' is not supported",
                    Map.of("algorithms", List.of("RS256", "ES256", "ES384", "ES512", "EdDSA")));
        }
        // RFC 8555 §6.2: exactly one of jwk and kid.
        if ((header.getJWK() == null) == (header.getKeyID() == null)) {
            throw new AcmeException(AcmeProblem.malformed, "the JWS protected header must contain exactly one of 'jwk' and 'kid'");
        }
        if (signer == Signer.ACCOUNT && header.getKeyID() == null) {
            throw new AcmeException(AcmeProblem.malformed, "this request must be signed by an account key named with 'kid'");
        }
        if (signer == Signer.JWK && header.getJWK() == null) {
            throw new AcmeException(AcmeProblem.malformed, "this request must carry its public key in 'jwk'");
        }
        // RFC 8555 §6.4: the url header names the URL the request was sent to.
        Object url = header.getCustomParam("url");
        if (!(url instanceof String u) || !u.equals(expectedUrl)) {
            throw new AcmeException(AcmeProblem.unauthorized, "the JWS 'url' header must be " + expectedUrl + ", not " + url);
        }
        if (outer) {
            // RFC 8555 §6.5: every request carries a fresh nonce from us, used once.
            Object nonce = header.getCustomParam("nonce");
            if (!(nonce instanceof String n) || !nonces.redeem(n)) {
                throw new AcmeException(AcmeProblem.badNonce, nonce == null ? "the JWS has no 'nonce'" : "the nonce is unknown, used or expired");
            }
        } else if (header.getCustomParam("nonce") != null) {
            throw new AcmeException(AcmeProblem.malformed, "the inner JWS of a key change must not carry a nonce");
        }
        Account account = null;
        JWK key;
        if (header.getKeyID() != null) {
            // RFC 8555 §6.2: kid is the account URL.
            long id = linker.accountId(header.getKeyID());
            account = id < 0 ? null : accounts.find(id).orElse(null);
            if (account == null) {
                throw new AcmeException(AcmeProblem.accountDoesNotExist, "no account at " + header.getKeyID());
            }
            if (!account.valid()) {
                throw new AcmeException(AcmeProblem.unauthorized, "account " + header.getKeyID() + " is " + account.status());
            }
            AccountKey stored = accountKeys.get(account.jwk(), AcmeRequests::accountKey);
            key = stored.jwk();
            checkSignature(jws, key, stored.verifier());
        } else {
            key = header.getJWK();
            if (key.isPrivate()) {
                throw new AcmeException(AcmeProblem.badPublicKey, "the 'jwk' must be a public key; this one holds private parameters");
            }
            checkSignature(jws, key, null);
        }
        String payloadText = jws.getPayload().toString();
        JsonNode payload = null;
        if (!payloadText.isEmpty()) {
            try {
                payload = json.readTree(payloadText);
            } catch (RuntimeException e) {
                throw new AcmeException(AcmeProblem.malformed, "the JWS payload is not JSON");
            }
            if (!payload.isObject()) {
                throw new AcmeException(AcmeProblem.malformed, "the JWS payload must be a JSON object");
            }
        }
        return new Verified(account, key, payload, linker);
    }

    /** RFC 8555 §6.2: the flattened JSON serialization, with a protected header and no unprotected one. */
    public JWSObject parseFlattened(byte[] body) {
        JsonNode node;
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNesting.check(text, "the request body");
        try {
            node = json.readTree(text);
        } catch (RuntimeException e) {
            throw new AcmeException(AcmeProblem.malformed, "the request body is not JSON");
        }
        return parseFlattened(node);
    }

    public JWSObject parseFlattened(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("protected").isString() || !node.path("payload").isString()
                || !node.path("signature").isString()) {
            throw new AcmeException(AcmeProblem.malformed, "the body must be a flattened JWS with 'protected', 'payload' and 'signature'");
        }
        if (node.has("header") || node.has("signatures")) {
            throw new AcmeException(AcmeProblem.malformed, "the JWS must have one signature and no unprotected header");
        }
        // Nimbus parses the header with its own JSON parser: check its nesting first, and the payload's (RFC 8259 §9).
        JsonNesting.check(decodedText(node.get("protected").asString()), "the JWS protected header");
        JsonNesting.check(decodedText(node.get("payload").asString()), "the JWS payload");
        checkCertificateChains(decodedText(node.get("protected").asString()));
        try {
            return JWSObject.parse(node.get("protected").asString() + "." + node.get("payload").asString() + "." + node.get("signature").asString());
        } catch (ParseException | RuntimeException e) {
            throw new AcmeException(AcmeProblem.malformed, "the JWS does not parse: " + e.getMessage());
        }
    }

    /**
     * Nimbus parses an {@code x5c} certificate chain (RFC 7515 §4.1.6, RFC 7517 §4.7) in the header or its JWK with the
     * JDK's DER parser: each entry passes the ASN.1 depth and size check first. ACME clients send none (RFC 8555 §6.2
     * needs only jwk or kid); one is allowed, but must be sane.
     */
    private void checkCertificateChains(String headerText) {
        JsonNode header;
        try {
            header = json.readTree(headerText);
        } catch (RuntimeException e) {
            return; // Nimbus refuses it as malformed
        }
        if (header == null || !header.isObject()) {
            return;
        }
        for (JsonNode chain : List.of(header.path("x5c"), header.path("jwk").path("x5c"))) {
            if (!chain.isArray()) {
                continue;
            }
            for (JsonNode entry : chain) {
                try {
                    // RFC 7515 §4.1.6: standard base64, not base64url.
                    Asn1Limits.check(java.util.Base64.getMimeDecoder().decode(entry.asString("")), Pem.MAX_CERTIFICATE);
                } catch (IllegalArgumentException | X509Exception e) {
                    ClientErrorLog.refused("jws", "x5c: " + e.getMessage());
                    throw new AcmeException(AcmeProblem.malformed, "the JWS header's x5c is not a certificate chain");
                }
            }
        }
    }

    /** A base64url member as text; one that is not base64url is left for Nimbus to refuse. */
    private static String decodedText(String base64url) {
        try {
            return new String(java.util.Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** A stored account key, parsed once, with its Nimbus verifier (thread-safe) when it has one. */
    private record AccountKey(JWK jwk, JWSVerifier verifier) {
    }

    private static AccountKey accountKey(String jwkJson) {
        try {
            JWK jwk = JWK.parse(jwkJson);
            JWSVerifier verifier = jwk instanceof RSAKey rsa ? new RSASSAVerifier(rsa) : jwk instanceof ECKey ec ? new ECDSAVerifier(ec) : null;
            return new AccountKey(jwk, verifier);
        } catch (ParseException | JOSEException e) {
            throw new IllegalStateException("a stored account key does not parse", e);
        }
    }

    /**
     * RFC 8555 §6.2: the signature verifies with the key, under an algorithm that fits it. {@code cached} is the key's
     * verifier when it was built before (stored account keys), or null.
     */
    private static void checkSignature(JWSObject jws, JWK key, JWSVerifier cached) {
        JWSAlgorithm alg = jws.getHeader().getAlgorithm();
        boolean verified;
        try {
            if (key instanceof RSAKey rsa && alg.equals(JWSAlgorithm.RS256)) {
                if (rsa.size() < 2048) {
                    throw new AcmeException(AcmeProblem.badPublicKey, "RSA account keys must have at least 2048 bits");
                }
                verified = jws.verify(cached != null ? cached : new RSASSAVerifier(rsa));
            } else if (key instanceof ECKey ec && curveFor(alg) != null && curveFor(alg).equals(ec.getCurve())) {
                verified = jws.verify(cached != null ? cached : new ECDSAVerifier(ec));
            } else if (key instanceof OctetKeyPair okp && Curve.Ed25519.equals(okp.getCurve())
                    && (alg.equals(JWSAlgorithm.EdDSA) || alg.equals(JWSAlgorithm.Ed25519))) {
                verified = verifyEd25519(jws, okp);
            } else {
                throw new AcmeException(AcmeProblem.badSignatureAlgorithm, "algorithm " + alg + " does not fit the " + key.getKeyType()
                        + " key", Map.of("algorithms", List.of("RS256", "ES256", "ES384", "ES512", "EdDSA")));
            }
        } catch (JOSEException e) {
            throw new AcmeException(AcmeProblem.malformed, "the JWS signature cannot be checked: " + e.getMessage());
        }
        if (!verified) {
            throw new AcmeException(AcmeProblem.malformed, "the JWS signature does not verify");
        }
    }

    private static Curve curveFor(JWSAlgorithm alg) {
        if (alg.equals(JWSAlgorithm.ES256)) {
            return Curve.P_256;
        }
        if (alg.equals(JWSAlgorithm.ES384)) {
            return Curve.P_384;
        }
        return alg.equals(JWSAlgorithm.ES512) ? Curve.P_521 : null;
    }

    private static boolean verifyEd25519(JWSObject jws, OctetKeyPair okp) throws JOSEException {
        try {
            PublicKey publicKey = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(new SubjectPublicKeyInfo(
                    new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), okp.getDecodedX()).getEncoded()));
            Signature signature = Signature.getInstance("Ed25519");
            signature.initVerify(publicKey);
            signature.update(jws.getSigningInput());
            return signature.verify(jws.getSignature().decode());
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new JOSEException("Ed25519: " + e.getMessage(), e);
        }
    }

    /** The account key's public key, for comparing with a certificate's (revokeCert by certificate key). */
    public static PublicKey publicKey(JWK key) {
        try {
            if (key instanceof RSAKey rsa) {
                return rsa.toPublicKey();
            }
            if (key instanceof ECKey ec) {
                return ec.toPublicKey();
            }
            if (key instanceof OctetKeyPair okp) {
                return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(new SubjectPublicKeyInfo(
                        new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519), okp.getDecodedX()).getEncoded()));
            }
        } catch (JOSEException | java.security.GeneralSecurityException | java.io.IOException e) {
            throw new AcmeException(AcmeProblem.badPublicKey, "the key cannot be read: " + e.getMessage());
        }
        throw new AcmeException(AcmeProblem.badPublicKey, "unsupported key type " + key.getKeyType());
    }

    /** RFC 7638 thumbprint, base64url: the key's identity, and the second half of a key authorization (RFC 8555 §8.1). */
    public static String thumbprint(JWK key) {
        try {
            return key.computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new AcmeException(AcmeProblem.badPublicKey, "cannot compute the key's thumbprint");
        }
    }
}
