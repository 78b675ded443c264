package dev.certwright.api;

import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

import dev.certwright.discovery.Endpoint;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.x509.Pem;

/** A certificate as the API shows it. PEM fields are present on single-certificate responses only. */
@JsonInclude(JsonInclude.Include.NON_NULL)
record CertificateResponse(String serial, String issuer, String issuerDn, String status, String source, String profile,
        String subject, List<String> sans, String keyAlgorithm, Integer keySize, Instant notBefore, Instant notAfter,
        String fingerprintSha256, String owner, List<String> tags, String managedCertificate, String predecessorSerial,
        String successorSerial, String failureReason, Instant createdAt, Instant revokedAt, String revocationReason, String revokedBy, String certificatePem,
        String chainPem, List<EndpointResponse> endpoints) {

    /** Where a certificate was seen by network discovery (decision 75). */
    record EndpointResponse(String host, String address, int port, String serverName, String protocol, boolean leaf, List<String> findings,
            Instant firstSeen, Instant lastSeen) {

        static EndpointResponse of(Endpoint e) {
            return new EndpointResponse(e.host(), e.address(), e.port(), e.serverName(), e.protocol().name().toLowerCase(java.util.Locale.ROOT),
                    e.leaf(), e.findings(), e.firstSeen(), e.lastSeen());
        }
    }

    /** This response with the endpoints where the certificate was seen. */
    CertificateResponse withEndpoints(List<Endpoint> seen) {
        return new CertificateResponse(serial, issuer, issuerDn, status, source, profile, subject, sans, keyAlgorithm, keySize, notBefore, notAfter,
                fingerprintSha256, owner, tags, managedCertificate, predecessorSerial, successorSerial, failureReason, createdAt, revokedAt,
                revocationReason, revokedBy, certificatePem, chainPem, seen.stream().map(EndpointResponse::of).toList());
    }

    static CertificateResponse summary(CertificateRecord r, Instant now) {
        return of(r, now, null, null, false);
    }

    static CertificateResponse full(CertificateRecord r, Instant now, String predecessorSerial, String successorSerial) {
        return of(r, now, predecessorSerial, successorSerial, true);
    }

    private static CertificateResponse of(CertificateRecord r, Instant now, String predecessor, String successor, boolean full) {
        return new CertificateResponse(r.serial().hex(), r.issuerName() != null ? r.issuerName() : r.issuerDn(), r.issuerDn(),
                r.effectiveStatus(now), r.source().name(), r.profile(), r.subject(), r.sans(), r.keyAlgorithm(), r.keySize(),
                r.notBefore(), r.notAfter(), r.fingerprintSha256(), r.owner(), r.tags(), r.managedName(), predecessor, successor,
                r.failureReason(), r.createdAt(), r.revocation() == null ? null : r.revocation().revokedAt(),
                r.revocation() == null ? null : r.revocation().reason(), r.revocation() == null ? null : r.revocation().revokedBy(),
                full && r.der() != null ? Pem.encode(Pem.CERTIFICATE, r.der()) : null,
                full ? (r.chainPem() == null ? "" : r.chainPem()) : null, null);
    }
}
