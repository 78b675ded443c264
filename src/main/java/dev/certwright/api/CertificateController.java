package dev.certwright.api;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.discovery.CertificateEndpoints;
import dev.certwright.discovery.DiscoveryException;
import dev.certwright.discovery.Finding;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.inventory.InventoryException;
import dev.certwright.inventory.ResultPage;
import dev.certwright.issuance.CertificateImports;
import dev.certwright.issuance.CertificateIssuance;
import dev.certwright.issuance.IssuanceRequest;
import dev.certwright.issuance.IssuedCertificate;
import dev.certwright.x509.CsrView;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** Issue from a CSR, import, search and fetch certificates. */
@RestController
class CertificateController {

    static final String PEM_CHAIN = "application/pem-certificate-chain";

    private final CertificateIssuance issuance;
    private final CertificateImports imports;
    private final CertificateInventory inventory;
    private final CertificateEndpoints endpoints;
    private final Clock clock;

    CertificateController(CertificateIssuance issuance, CertificateImports imports, CertificateInventory inventory, CertificateEndpoints endpoints,
            Clock clock) {
        this.endpoints = endpoints;
        this.issuance = issuance;
        this.imports = imports;
        this.inventory = inventory;
        this.clock = clock;
    }

    /** POST /api/v1/certificates. */
    record IssueBody(
            @NotBlank @Size(max = CsrView.MAX_LENGTH) String csr,
            @NotBlank @Size(max = 64) String profile,
            @NotBlank @Pattern(regexp = Validation.OWNER, message = "must be 1 to 255 printable characters") String owner,
            @Size(max = Validation.MAX_TAGS) List<@Pattern(regexp = Validation.TAG, message = "must be a tag of letters, digits and ._:/=-, at most 64 characters") String> tags,
            Duration validity) {
    }

    @PostMapping(path = "/api/v1/certificates", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CertificateResponse> issue(@Valid @RequestBody IssueBody body, Authentication actor) {
        CsrView csr = CsrView.parsePem(body.csr());
        IssuedCertificate issued = issuance.issue(IssuanceRequest.forCsr(body.profile(), csr, body.validity(), body.owner(),
                body.tags() == null ? List.of() : body.tags(), CertificateSource.ISSUED, actor.getName()));
        CertificateRecord record = issued.record();
        return ResponseEntity.created(URI.create("/api/v1/certificates/" + record.serial().hex()))
                .body(CertificateResponse.full(record, clock.instant(), null, null));
    }

    /** POST /api/v1/certificates/import. */
    record ImportBody(
            @NotBlank @Size(max = 65536) String pem,
            @NotBlank @Pattern(regexp = Validation.OWNER, message = "must be 1 to 255 printable characters") String owner,
            @Size(max = Validation.MAX_TAGS) List<@Pattern(regexp = Validation.TAG, message = "must be a tag of letters, digits and ._:/=-, at most 64 characters") String> tags) {
    }

    @PostMapping(path = "/api/v1/certificates/import", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CertificateResponse> importCertificate(@Valid @RequestBody ImportBody body, Authentication actor) {
        CertificateRecord record = imports.importPem(body.pem(), body.owner(), body.tags() == null ? List.of() : body.tags(), actor.getName());
        return ResponseEntity.created(URI.create("/api/v1/certificates/" + record.serial().hex()))
                .body(CertificateResponse.full(record, clock.instant(), null, null));
    }

    /** A page of results. {@code totalExact}: false when more than 10,000 match and {@code total} is a lower bound (10,001). */
    record PageResponse(List<CertificateResponse> items, long total, boolean totalExact, int page, int size) {
    }

    @GetMapping("/api/v1/certificates")
    PageResponse search(@RequestParam(required = false) String owner, @RequestParam(required = false) String tag,
            @RequestParam(required = false) String q, @RequestParam(required = false) String status,
            @RequestParam(required = false) String expiringWithin, @RequestParam(required = false) String issuer,
            @RequestParam(required = false) String source, @RequestParam(required = false) String finding,
            @RequestParam(defaultValue = "-createdAt") String sort, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size) {
        if (finding != null) {
            return withFinding(finding, size);
        }
        ResultPage<CertificateRecord> result = inventory.search(CertificateSearch.query(owner, tag, q, status, expiringWithin, issuer, source, sort,
                page, size));
        Instant now = clock.instant();
        return new PageResponse(result.items().stream().map(r -> CertificateResponse.summary(r, now)).toList(), result.total(), result.totalExact(),
                result.page(), result.size());
    }

    @GetMapping("/api/v1/certificates/{serial}")
    ResponseEntity<?> get(@PathVariable String serial, @RequestParam(required = false) String issuer,
            @RequestHeader(name = "Accept", required = false) String accept) {
        CertificateRecord record = bySerial(serial, issuer);
        if (accept != null && accept.contains(PEM_CHAIN)) {
            if (record.der() == null) {
                throw new InventoryException(InventoryException.Type.NOT_FOUND, "certificate " + record.serial() + (record.status()
                        == CertificateStatus.PENDING || record.status() == CertificateStatus.FAILED
                        ? " has not been issued (" + record.status() + ")" : " was purged by retention after it expired; the audit log keeps its history"));
            }
            String pem = dev.certwright.x509.Pem.encode(dev.certwright.x509.Pem.CERTIFICATE, record.der())
                    + (record.chainPem() == null ? "" : record.chainPem());
            return ResponseEntity.ok().contentType(MediaType.parseMediaType(PEM_CHAIN)).body(pem);
        }
        String predecessor = record.predecessorId() == null ? null : inventory.find(record.predecessorId()).map(r -> r.serial().hex()).orElse(null);
        String successor = record.successorId() == null ? null : inventory.find(record.successorId()).map(r -> r.serial().hex()).orElse(null);
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(CertificateResponse.full(record, clock.instant(), predecessor, successor)
                .withEndpoints(endpoints.of(record.id())));
    }

    /** The certificates discovery found with a finding at an endpoint (decision 75), most recently seen first: one page. */
    private PageResponse withFinding(String code, int size) {
        Finding finding = Finding.ofCode(code);
        if (finding == null) {
            throw new DiscoveryException(DiscoveryException.Type.INVALID, "finding must be one of " + java.util.Arrays.stream(Finding.values())
                    .map(Finding::code).toList());
        }
        int limit = Math.max(1, Math.min(size, 500));
        Instant now = clock.instant();
        List<CertificateResponse> items = endpoints.withFinding(finding, limit).stream().map(inventory::find).flatMap(java.util.Optional::stream)
                .map(r -> CertificateResponse.summary(r, now)).toList();
        return new PageResponse(items, items.size(), items.size() < limit, 0, limit);
    }

    private CertificateRecord bySerial(String serial, String issuer) {
        return CertificateLookup.bySerial(inventory, serial, issuer);
    }
}
