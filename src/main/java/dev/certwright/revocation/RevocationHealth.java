package dev.certwright.revocation;

import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.platform.Timestamps;

/**
 * How the revocation services are doing, for the dashboard: each issuer's newest full and delta CRL with their
 * nextUpdate, its OCSP responder certificate's expiry, how far the pre-signed responses are behind, and the OCSP status
 * of one certificate exactly as the responder answers it (a real request through {@link OcspResponder}).
 */
@Component
public class RevocationHealth {

    private final JdbcClient jdbc;
    private final OcspResponder responder;
    private final CertificateAuthority ca;

    RevocationHealth(JdbcClient jdbc, OcspResponder responder, CertificateAuthority ca) {
        this.jdbc = jdbc;
        this.responder = responder;
        this.ca = ca;
    }

    /** One issuer's CRLs and responder. Null fields: none published yet. */
    public record IssuerHealth(String issuer, Instant notAfter, Instant fullNextUpdate, Instant deltaNextUpdate, Instant responderNotAfter) {
    }

    public List<IssuerHealth> issuers() {
        return ca.issuers().stream().map(issuer -> new IssuerHealth(issuer.name(), issuer.certificate().getNotAfter().toInstant(),
                nextUpdate(issuer.name(), "FULL"), nextUpdate(issuer.name(), "DELTA"),
                jdbc.sql("SELECT MAX(not_after) FROM ocsp_responder WHERE issuer_name = :issuer").param("issuer", issuer.name())
                        .query((rs, i) -> Timestamps.read(rs, 1)).optional().orElse(null)))
                .toList();
    }

    private Instant nextUpdate(String issuer, String kind) {
        return jdbc.sql("SELECT next_update FROM crl WHERE issuer_name = :issuer AND kind = :kind ORDER BY crl_number DESC LIMIT 1")
                .param("issuer", issuer).param("kind", kind).query((rs, i) -> Timestamps.read(rs, 1)).optional().orElse(null);
    }

    /** Pre-signed OCSP responses: how many there are, how many are overdue for refresh, and the oldest refresh time. */
    public record PresignHealth(long responses, long overdue, Instant oldestRefreshAfter) {
    }

    public PresignHealth presigned(Instant now) {
        long overdue = jdbc.sql("SELECT COUNT(*) FROM ocsp_response WHERE refresh_after < :now").param("now", Timestamps.of(now))
                .query(Long.class).single();
        Instant oldest = jdbc.sql("SELECT MIN(refresh_after) FROM ocsp_response").query((rs, i) -> Timestamps.read(rs, 1)).single();
        long total = jdbc.sql("SELECT last_id FROM ocsp_presign_state WHERE id = 1").query(Long.class).optional().orElse(0L);
        return new PresignHealth(total, overdue, oldest);
    }

    /** What our OCSP responder says of a certificate: {@code good}, {@code revoked} (with reason and time) or {@code unknown}. */
    public record OcspAnswer(String status, String reason, Instant revokedAt, Instant thisUpdate, Instant nextUpdate) {
    }

    /** Asks the responder, as a relying party would, and reads its signed answer. */
    public OcspAnswer ask(String issuerName, BigInteger serial) {
        try {
            X509Certificate issuer = ca.issuer(issuerName).certificate();
            CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer), serial);
            byte[] request = new OCSPReqBuilder().addRequest(id).build().getEncoded();
            OCSPResp response = new OCSPResp(responder.respond(request).der());
            if (response.getStatus() != OCSPResp.SUCCESSFUL) {
                return new OcspAnswer("error " + response.getStatus(), null, null, null, null);
            }
            SingleResp single = ((BasicOCSPResp) response.getResponseObject()).getResponses()[0];
            Object status = single.getCertStatus();
            Instant thisUpdate = single.getThisUpdate().toInstant();
            Instant nextUpdate = single.getNextUpdate() == null ? null : single.getNextUpdate().toInstant();
            if (status == CertificateStatus.GOOD) {
                return new OcspAnswer("good", null, null, thisUpdate, nextUpdate);
            }
            if (status instanceof RevokedStatus revoked) {
                String reason = revoked.hasRevocationReason() ? reasonName(revoked.getRevocationReason()) : null;
                Date at = revoked.getRevocationTime();
                return new OcspAnswer("revoked", reason, at.toInstant(), thisUpdate, nextUpdate);
            }
            return new OcspAnswer("unknown", null, null, thisUpdate, nextUpdate);
        } catch (Exception e) {
            return new OcspAnswer("unavailable: " + e.getMessage(), null, null, null, null);
        }
    }

    private static String reasonName(int code) {
        return dev.certwright.x509.RevocationReason.fromCode(code).map(Enum::name).orElse("code " + code);
    }
}
