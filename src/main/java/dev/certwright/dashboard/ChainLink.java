package dev.certwright.dashboard;

import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import dev.certwright.x509.Pem;

/** A link of a certificate's chain, with its expiry, as the detail page shows it. */
record ChainLink(String subject, String issuer, Instant notAfter, String serial) {

    /** The links of a stored chain; none when there is no chain. */
    static List<ChainLink> of(String chainPem) {
        List<ChainLink> chain = new ArrayList<>();
        if (chainPem != null && !chainPem.isBlank()) {
            for (X509Certificate link : Pem.decodeCertificates(chainPem)) {
                chain.add(new ChainLink(link.getSubjectX500Principal().getName(), link.getIssuerX500Principal().getName(),
                        link.getNotAfter().toInstant(), link.getSerialNumber().toString(16)));
            }
        }
        return chain;
    }
}
