package dev.certwright.api;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import javax.security.auth.x500.X500Principal;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.ca.CaException;
import dev.certwright.issuance.CaHierarchy;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.IssuerView;
import dev.certwright.x509.CertificateChains;
import dev.certwright.x509.Pem;
import dev.certwright.x509.X509Exception;

/**
 * The CA's issuers, every generation: listed on the API with their source, state, key location and line of
 * generations; the rollover to a new generation; the request of an issuer whose certificate an offline CA signs, and
 * the installation of that certificate; and their certificates published over plain HTTP for AIA caIssuers.
 */
@RestController
class IssuerController {

    private static final String PEM = "application/x-pem-file";

    private final CaHierarchy hierarchy;

    IssuerController(CaHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    /**
     * An issuer generation as the API shows it. {@code name} is the generation's own name; {@code issuer} the configured
     * issuer it belongs to. Certificate fields are null while it awaits its certificate; chainPem is its own
     * certificate followed by its parents, root last.
     */
    record IssuerResponse(String name, String issuer, int generation, String source, String state, String keyLocation, String keyAlgorithm,
            String subject, String parent, Instant notBefore, Instant notAfter, String serial, String predecessor, String successor,
            Instant switchAt, String certificatePem, String chainPem, String crossCertificatePem) {

        static IssuerResponse of(IssuerView view) {
            var certificate = view.certificate();
            return new IssuerResponse(view.name(), view.logicalName(), view.generation(), view.source().configValue(), view.state().name(),
                    view.keyLocation().name().toLowerCase(java.util.Locale.ROOT), view.keyAlgorithm(),
                    certificate == null ? view.subject() : certificate.getSubjectX500Principal().getName(X500Principal.RFC2253), view.parent(),
                    certificate == null ? null : certificate.getNotBefore().toInstant(), certificate == null ? null : certificate.getNotAfter().toInstant(),
                    certificate == null ? null : certificate.getSerialNumber().toString(16), view.predecessor(), view.successor(), view.switchAt(),
                    certificate == null ? null : Pem.encode(certificate), certificate == null ? null : Pem.encodeChain(view.chain()),
                    view.crossCertificate() == null ? null : Pem.encode(view.crossCertificate()));
        }
    }

    @GetMapping("/api/v1/issuers")
    List<IssuerResponse> issuers() {
        return hierarchy.issuers().stream().map(IssuerResponse::of).toList();
    }

    @GetMapping("/api/v1/issuers/{name}")
    IssuerResponse issuer(@PathVariable String name) {
        return IssuerResponse.of(found(name));
    }

    /** The PKCS#10 request (RFC 2986) of an issuer awaiting its certificate, PEM, for the offline CA to sign. */
    @GetMapping("/api/v1/issuers/{name}/csr")
    ResponseEntity<String> certificationRequest(@PathVariable String name) {
        found(name);
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(PEM))
                .body(Pem.encode(Pem.CERTIFICATE_REQUEST, hierarchy.certificationRequest(name)));
    }

    /** Installs the PEM chain (the issuer's certificate first, up to the root) the offline CA returned. */
    @PutMapping(path = "/api/v1/issuers/{name}/certificate", consumes = {"application/pem-certificate-chain", PEM, MediaType.TEXT_PLAIN_VALUE})
    IssuerResponse installCertificate(@PathVariable String name, @RequestBody String body, Authentication actor) {
        found(name);
        List<java.security.cert.X509Certificate> chain;
        try {
            chain = Pem.decodeCertificates(body);
        } catch (X509Exception e) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "the body is not a PEM certificate chain: " + e.getMessage());
        }
        if (chain.size() > CertificateChains.MAX_LENGTH) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "the chain has " + chain.size() + " certificates; at most "
                    + CertificateChains.MAX_LENGTH + " are accepted");
        }
        return IssuerResponse.of(hierarchy.installCertificate(name, chain, actor.getName()));
    }

    /**
     * What a rollover asks for. {@code switchAt}: when new certificates start coming from the successor (ISO-8601; at most
     * a minute in the past; default now). {@code crossSign}: for a root, also certify the new root's key with the old
     * one (RFC 5280 §3.2), so that what the new root signs chains to the old root too.
     */
    record RolloverBody(Instant switchAt, Boolean crossSign) {
    }

    /**
     * Creates the successor generation of the configured issuer whose current generation (or configured name) is
     * {@code name}: 201 with the successor, which stands by until {@code switchAt} (or awaits its certificate, when its
     * parent is offline). 404 for an unknown issuer, 409 for a retired one or a rollover still pending, 422 for a
     * switch time too early or too late.
     */
    @PostMapping(path = "/api/v1/issuers/{name}/rollover")
    ResponseEntity<IssuerResponse> rollover(@PathVariable String name, @RequestBody(required = false) RolloverBody body, Authentication actor) {
        RolloverBody request = body == null ? new RolloverBody(null, null) : body;
        IssuerView successor = hierarchy.rollover(name, request.switchAt(), Boolean.TRUE.equals(request.crossSign()), actor.getName());
        return ResponseEntity.created(URI.create("/api/v1/issuers/" + successor.name())).body(IssuerResponse.of(successor));
    }

    /** DER, as RFC 5280 §4.2.2.1 asks of caIssuers URLs ("application/pkix-cert", RFC 2585): every generation's. */
    @GetMapping("/ca/{issuer}.crt")
    ResponseEntity<byte[]> der(@PathVariable String issuer) {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/pkix-cert"))
                .cacheControl(CacheControl.maxAge(Duration.ofHours(1)).cachePublic())
                .body(CaHierarchy.der(published(issuer).certificate()));
    }

    @GetMapping("/ca/{issuer}.pem")
    ResponseEntity<String> pem(@PathVariable String issuer) {
        return ResponseEntity.ok().contentType(MediaType.parseMediaType(PEM))
                .cacheControl(CacheControl.maxAge(Duration.ofHours(1)).cachePublic())
                .body(Pem.encode(published(issuer).certificate()));
    }

    private IssuerView found(String name) {
        return hierarchy.issuer(name).orElseThrow(() -> new IssuanceException(IssuanceException.Type.NOT_FOUND, "no issuer named '" + name + "'"));
    }

    /** A generation with a certificate; the same 404 as before for a name that has none. */
    private IssuerView published(String name) {
        return hierarchy.issuer(name).filter(v -> v.certificate() != null)
                .orElseThrow(() -> new CaException(CaException.Type.UNKNOWN_ISSUER, "no issuer named '" + name + "'"));
    }
}
