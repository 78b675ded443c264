package dev.certwright.api;

import java.time.Instant;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.ca.CertificateAuthority;
import dev.certwright.ca.Issuer;
import dev.certwright.x509.Pem;

/** The CA's issuers: listed on the API, and their certificates published over plain HTTP for AIA caIssuers. */
@RestController
class IssuerController {

    private final CertificateAuthority ca;

    IssuerController(CertificateAuthority ca) {
        this.ca = ca;
    }

    /** An issuer as the API shows it; chainPem is its own certificate followed by its parents, root last. */
    record IssuerResponse(String name, String subject, Instant notBefore, Instant notAfter, String keyAlgorithm,
            String certificatePem, String chainPem) {
    }

    @GetMapping("/api/v1/issuers")
    List<IssuerResponse> issuers() {
        return ca.issuers().stream().map(i -> new IssuerResponse(i.name(),
                i.certificate().getSubjectX500Principal().getName(X500Principal.RFC2253),
                i.certificate().getNotBefore().toInstant(), i.certificate().getNotAfter().toInstant(), i.keySpec().id(),
                Pem.encode(i.certificate()), Pem.encodeChain(i.chain()))).toList();
    }

    /** DER, as RFC 5280 §4.2.2.1 asks of caIssuers URLs ("application/pkix-cert", RFC 2585). */
    @GetMapping("/ca/{issuer}.crt")
    ResponseEntity<byte[]> der(@PathVariable String issuer) throws Exception {
        Issuer found = ca.issuer(issuer);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/pkix-cert"))
                .cacheControl(CacheControl.maxAge(java.time.Duration.ofHours(1)).cachePublic())
                .body(found.certificate().getEncoded());
    }

    @GetMapping("/ca/{issuer}.pem")
    ResponseEntity<String> pem(@PathVariable String issuer) {
        Issuer found = ca.issuer(issuer);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/x-pem-file"))
                .cacheControl(CacheControl.maxAge(java.time.Duration.ofHours(1)).cachePublic())
                .body(Pem.encode(found.certificate()));
    }
}
