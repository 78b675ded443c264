package dev.certwright.revocation;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.oiw.OIWObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

import dev.certwright.ca.CaException;
import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.ca.OcspAnswer;
import dev.certwright.inventory.RevocationRecords;
import dev.certwright.inventory.RevocationRecords.RevocationEntry;
import dev.certwright.x509.Asn1Limits;
import dev.certwright.x509.ClientErrorLog;
import dev.certwright.x509.SerialNumber;
import dev.certwright.x509.X509Exception;

/**
 * Answers OCSP requests (RFC 6960) for the certificates of our issuers, signed by each issuer's delegated responder.
 * <ul>
 * <li>A request for one certificate, with a SHA-1 CertID and no nonce (the RFC 5019 profile), is answered from the
 * pre-signed response, and when there is none, the fresh response is stored for the next request.</li>
 * <li>Anything else (several certificates, SHA-256/384/512 CertIDs, a nonce) is signed on the spot.</li>
 * <li>A request naming an issuer that is not ours is {@code unauthorized} (§2.3); one that does not parse, has no
 * request, uses an unknown hash or a nonce of a length RFC 8954 forbids is {@code malformedRequest}; with no
 * responder loaded yet it is {@code tryLater}.</li>
 * </ul>
 */
@Service
class OcspResponder {

    /**
     * An encoded OCSPResponse, its OCSPResponseStatus, and, for a successful one, its validity and whether a shared cache
     * may keep it.
     */
    record Result(int status, byte[] der, Instant thisUpdate, Instant nextUpdate, boolean cacheable) {

        static Result error(int status) {
            try {
                return new Result(status, new OCSPRespBuilder().build(status, null).getEncoded(), null, null, false);
            } catch (OCSPException | java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean successful() {
            return status == OCSPRespBuilder.SUCCESSFUL;
        }
    }

    static final int MAX_REQUESTS = 100;
    /** RFC 8954 §2.1: a nonce is 1 to 32 octets. */
    static final int MAX_NONCE = 32;
    private static final Logger log = LoggerFactory.getLogger(OcspResponder.class);
    private static final List<ASN1ObjectIdentifier> HASHES = List.of(OIWObjectIdentifiers.idSHA1, NISTObjectIdentifiers.id_sha256,
            NISTObjectIdentifiers.id_sha384, NISTObjectIdentifiers.id_sha512);

    private final CertificateAuthority ca;
    private final RevocationRecords records;
    private final OcspResponseStore store;
    private final RevocationProperties.Ocsp properties;
    private final Clock clock;
    private final DigestCalculatorProvider digests;
    private volatile Map<String, String> issuerIndex;
    private volatile long indexInstalls = -1;

    OcspResponder(CertificateAuthority ca, RevocationRecords records, OcspResponseStore store, RevocationProperties.Ocsp properties,
            Clock clock) throws Exception {
        this.ca = ca;
        this.records = records;
        this.store = store;
        this.properties = properties;
        this.clock = clock;
        this.digests = new JcaDigestCalculatorProviderBuilder().build();
    }

    /** Answers an encoded OCSPRequest. Never throws for bad input: it answers with an OCSP error status. */
    Result respond(byte[] requestDer) {
        OCSPReq request;
        try {
            // Depth and size first: Bouncy Castle's parser recurses per nesting level (the stack overflow of issue 19).
            Asn1Limits.check(requestDer, properties.maxRequestBytes());
            request = new OCSPReq(requestDer);
        } catch (X509Exception e) {
            ClientErrorLog.refused("ocsp", e.getMessage());
            return Result.error(OCSPRespBuilder.MALFORMED_REQUEST); // RFC 6960 §2.3
        } catch (Exception e) {
            ClientErrorLog.refused("ocsp", "the request is not an OCSPRequest (" + e.getClass().getSimpleName() + ")");
            return Result.error(OCSPRespBuilder.MALFORMED_REQUEST); // RFC 6960 §2.3
        }
        Req[] list;
        byte[] nonce = null;
        try {
            // OCSPReq parses lazily: a request whose outer SEQUENCE is fine can still hold a requestList, CertID or
            // extension of the wrong ASN.1 type, and Bouncy Castle throws (AIOOBE, IAE, CCE) only when it is read. So
            // read every part we use here, where a failure is the client's malformedRequest (RFC 6960 §2.3), not a 500.
            list = request.getRequestList();
            if (list.length == 0 || list.length > MAX_REQUESTS) {
                return Result.error(OCSPRespBuilder.MALFORMED_REQUEST); // RFC 6960 §4.1.1: requestList is SEQUENCE OF Request, not empty
            }
            for (Req single : list) {
                CertificateID id = single.getCertID();
                id.getHashAlgOID();
                id.getIssuerNameHash();
                id.getIssuerKeyHash();
                id.getSerialNumber();
            }
            Extension nonceExtension = request.getExtension(OCSPObjectIdentifiers.id_pkix_ocsp_nonce);
            if (nonceExtension != null) {
                int length = nonceValue(nonceExtension).length;
                if (length < 1 || length > MAX_NONCE) {
                    return Result.error(OCSPRespBuilder.MALFORMED_REQUEST); // RFC 8954 §2.1
                }
                nonce = nonceExtension.getExtnValue().getOctets(); // echoed as it came
            }
        } catch (RuntimeException e) {
            ClientErrorLog.refused("ocsp", "the request is not an OCSPRequest (" + e.getClass().getSimpleName() + ")");
            return Result.error(OCSPRespBuilder.MALFORMED_REQUEST); // RFC 6960 §2.3
        }
        String matched = null;
        for (Req single : list) {
            CertificateID id = single.getCertID();
            if (!HASHES.contains(id.getHashAlgOID())) {
                return Result.error(OCSPRespBuilder.MALFORMED_REQUEST);
            }
            String match = index().get(indexKey(id.getHashAlgOID(), id.getIssuerNameHash(), id.getIssuerKeyHash()));
            if (match == null || (matched != null && !matched.equals(match))) {
                // RFC 6960 §2.3: we are not a responder for that CA (or not one responder for all of them).
                return Result.error(OCSPRespBuilder.UNAUTHORIZED);
            }
            matched = match;
        }
        String issuer = matched;
        Optional<X509Certificate> responder = ca.ocspResponder(issuer);
        if (responder.isEmpty()) {
            return Result.error(OCSPRespBuilder.TRY_LATER);
        }
        Instant now = clock.instant();
        boolean presignable = list.length == 1 && nonce == null && list[0].getCertID().getHashAlgOID().equals(OIWObjectIdentifiers.idSHA1);
        if (presignable) {
            Optional<OcspResponseStore.Stored> stored = serialHex(list[0].getCertID())
                    .flatMap(serial -> store.find(issuer, serial))
                    .filter(s -> s.nextUpdate().isAfter(now.plusSeconds(60)));
            if (stored.isPresent()) {
                return new Result(OCSPRespBuilder.SUCCESSFUL, stored.get().der(), stored.get().thisUpdate(), stored.get().nextUpdate(), true);
            }
        }
        List<OcspAnswer> answers = new ArrayList<>();
        RevocationEntry known = null;
        boolean reserved = false;
        for (Req single : list) {
            Optional<RevocationEntry> entry = serialHex(single.getCertID()).flatMap(s -> records.findForOcsp(issuer, SerialNumber.parse(s)));
            answers.add(answer(single.getCertID(), entry));
            known = entry.orElse(null);
            reserved |= known != null && known.reservedOnly();
        }
        try {
            // A reserved serial may be issued a moment later (PENDING), so its answer is neither stored nor cacheable.
            Result result = sign(issuer, answers, nonce, now, !reserved);
            if (presignable && known != null && !reserved) {
                save(issuer, known, result);
            }
            return result;
        } catch (CaException e) {
            log.error("cannot sign an OCSP response for issuer {}", issuer, e);
            return Result.error(OCSPRespBuilder.INTERNAL_ERROR);
        }
    }

    /** Signs and stores the RFC 5019 response (SHA-1 CertID, no nonce) for one certificate: the pre-signing job's step. */
    void presign(String issuer, RevocationEntry entry) {
        try {
            Issuer found = ca.issuer(issuer);
            CertificateID id = new CertificateID(digests.get(new AlgorithmIdentifier(OIWObjectIdentifiers.idSHA1)),
                    new JcaX509CertificateHolder(found.certificate()), entry.serial().value());
            save(issuer, entry, sign(issuer, List.of(answer(id, Optional.of(entry))), null, clock.instant(), true));
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(CaException.Type.SIGNING, "cannot pre-sign the OCSP response of serial " + entry.serial(), e);
        }
    }

    boolean hasResponder(String issuer) {
        return ca.ocspResponder(issuer).isPresent();
    }

    private Result sign(String issuer, List<OcspAnswer> answers, byte[] nonce, Instant now, boolean cacheable) {
        Instant thisUpdate = now.truncatedTo(ChronoUnit.SECONDS);
        Instant nextUpdate = thisUpdate.plus(properties.validity());
        Instant responderExpiry = ca.ocspResponder(issuer).orElseThrow().getNotAfter().toInstant();
        if (nextUpdate.isAfter(responderExpiry)) {
            nextUpdate = responderExpiry;
        }
        byte[] der = ca.signOcspResponse(issuer, answers, thisUpdate, nextUpdate, nonce, thisUpdate);
        return new Result(OCSPRespBuilder.SUCCESSFUL, der, thisUpdate, nextUpdate, cacheable && nonce == null);
    }

    private void save(String issuer, RevocationEntry signedFrom, Result result) {
        Duration life = Duration.between(result.thisUpdate(), result.nextUpdate());
        try {
            store.save(issuer, signedFrom.serial().hex(), new OcspResponseStore.Stored(result.der(), result.thisUpdate(), result.nextUpdate()),
                    result.thisUpdate().plus(life.dividedBy(2)), signedFrom);
        } catch (DataAccessException e) {
            // Storing is a saving, not the answer: the response is still good to send, and is signed again when next asked.
            log.warn("could not store the OCSP response of serial {}: {}", signedFrom.serial(), e.getMessage());
        }
    }

    private static OcspAnswer answer(CertificateID id, Optional<RevocationEntry> entry) {
        if (entry.isEmpty()) {
            return OcspAnswer.unknown(id); // RFC 6960 §2.2: not a certificate we issued
        }
        if (entry.get().reservedOnly()) {
            // RFC 6960 §2.2: a serial reserved but never issued is "revoked", reason certificateHold, revocationTime
            // 1970-01-01T00:00:00Z, with the extended revoked definition extension (§4.4.8); never "good". A FAILED row may hide a certificate that was signed and handed out
            // before its record was lost; a PENDING one may be in signing right now.
            return OcspAnswer.nonIssued(id);
        }
        return entry.get().revoked() ? OcspAnswer.revoked(id, entry.get().revokedAt(), entry.get().reason()) : OcspAnswer.good(id);
    }

    /** The serial as stored, or empty for a serial no certificate of ours can have. */
    private static Optional<String> serialHex(CertificateID id) {
        BigInteger serial = id.getSerialNumber();
        try {
            return Optional.of(new SerialNumber(serial).hex());
        } catch (X509Exception e) {
            return Optional.empty();
        }
    }

    /**
     * RFC 6960 §4.4.1 and RFC 8954 §2.1: the extension value is a DER OCTET STRING holding the nonce. Some old clients
     * put the bare bytes there; those are taken as they are.
     */
    private static byte[] nonceValue(Extension extension) {
        byte[] value = extension.getExtnValue().getOctets();
        try {
            return ASN1OctetString.getInstance(value).getOctets();
        } catch (RuntimeException e) {
            return value;
        }
    }

    /** Issuer name and key hashes of every issuer under every hash we accept (RFC 6960 §4.1.1 CertID). */
    private Map<String, String> index() {
        Map<String, String> index = issuerIndex;
        // Rebuilt whenever the CA installs its issuers again, not only when their number changes: a generation retiring
        // while another one is added (a rollover) keeps the count.
        long installs = ca.installs();
        if (index == null || installs != indexInstalls) {
            index = new HashMap<>();
            for (Issuer issuer : ca.issuers()) {
                for (ASN1ObjectIdentifier hash : HASHES) {
                    try {
                        CertificateID id = new CertificateID(digests.get(new AlgorithmIdentifier(hash)),
                                new JcaX509CertificateHolder(issuer.certificate()), BigInteger.ONE);
                        index.put(indexKey(hash, id.getIssuerNameHash(), id.getIssuerKeyHash()), issuer.name());
                    } catch (Exception e) {
                        throw new IllegalStateException("cannot hash issuer " + issuer.name(), e);
                    }
                }
            }
            issuerIndex = Map.copyOf(index);
            indexInstalls = installs;
        }
        return index;
    }

    private static String indexKey(ASN1ObjectIdentifier hash, byte[] nameHash, byte[] keyHash) {
        return hash.getId() + "/" + HexFormat.of().formatHex(nameHash) + "/" + HexFormat.of().formatHex(keyHash);
    }
}
