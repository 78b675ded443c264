package dev.certwright.dashboard;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.certwright.acme.AcmeAccounts;
import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.discovery.CertificateEndpoints;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.CertificateStatus;
import dev.certwright.inventory.ResultPage;
import dev.certwright.issuance.CertificateRevocation;
import dev.certwright.revocation.RevocationHealth;
import dev.certwright.x509.Pem;
import dev.certwright.x509.RevocationReason;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The inventory: search and filters as a bookmarkable URL, sorting, pages and CSV export; a certificate's detail with
 * its chain, links, deployments and OCSP status as our responder answers; PEM download; revocation with a
 * confirmation step (OPERATOR).
 */
@Controller
class CertificatePages {

    static final int PAGE_SIZE = 50;

    private final CertificateInventory inventory;
    private final CertificateRevocation revocation;
    private final RevocationHealth health;
    private final DeploymentQueries deployments;
    private final AcmeAccounts acme;
    private final CertificateEndpoints endpoints;
    private final Clock clock;

    CertificatePages(CertificateInventory inventory, CertificateRevocation revocation, RevocationHealth health, DeploymentQueries deployments,
            AcmeAccounts acme, CertificateEndpoints endpoints, Clock clock) {
        this.endpoints = endpoints;
        this.inventory = inventory;
        this.revocation = revocation;
        this.health = health;
        this.deployments = deployments;
        this.acme = acme;
        this.clock = clock;
    }

    @GetMapping("/certificates")
    String list(@ModelAttribute("filters") CertificateFilters filters, @RequestParam(defaultValue = "0") int page, Model model) {
        int safePage = Math.max(0, Math.min(page, 100_000));
        ResultPage<CertificateRecord> result = inventory.search(filters.query(safePage, PAGE_SIZE));
        model.addAttribute("filters", filters);
        model.addAttribute("result", result);
        model.addAttribute("now", clock.instant());
        model.addAttribute("statuses", CertificateFilters.STATUSES);
        model.addAttribute("sources", Arrays.stream(CertificateSource.values()).map(Enum::name).toList());
        model.addAttribute("sorts", CertificateFilters.SORTS);
        // Past 10,000 matches the count is a lower bound: the pager then offers the next page while pages are full.
        model.addAttribute("lastPage", result.totalExact() ? Math.max(0, (result.total() - 1) / PAGE_SIZE)
                : result.items().size() == PAGE_SIZE ? safePage + 1 : safePage);
        return "certificates";
    }

    /** The filtered inventory as CSV, read page by page (at most 100,000 rows), never all at once. */
    @GetMapping("/certificates.csv")
    void csv(@ModelAttribute("filters") CertificateFilters filters, HttpServletResponse response) throws IOException {
        filters.query(0, 1); // refuse bad filters before the answer starts
        response.setContentType("text/csv; charset=utf-8");
        response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"certificates.csv\"");
        Instant now = clock.instant();
        PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(response.getOutputStream(), StandardCharsets.UTF_8));
        CertificateCsv.write(out, page -> inventory.search(filters.query(page, CertificateCsv.PAGE)), now);
        out.flush();
    }

    @GetMapping("/certificates/{id}")
    String detail(@PathVariable long id, Model model) {
        CertificateRecord record = find(id);
        model.addAttribute("c", record);
        model.addAttribute("now", clock.instant());
        model.addAttribute("status", record.effectiveStatus(clock.instant()));
        model.addAttribute("chain", ChainLink.of(record.chainPem()));
        model.addAttribute("predecessor", record.predecessorId() == null ? null : inventory.find(record.predecessorId()).orElse(null));
        model.addAttribute("successor", record.successorId() == null ? null : inventory.find(record.successorId()).orElse(null));
        model.addAttribute("deployments", deployments.forCertificate(id));
        model.addAttribute("endpoints", endpoints.of(id));
        model.addAttribute("acmeAccount", acme.accountOf(id).orElse(null));
        boolean ours = record.issuerName() != null && record.source() != CertificateSource.IMPORTED && record.source() != CertificateSource.CA;
        model.addAttribute("ocsp", ours && record.der() != null ? health.ask(record.issuerName(), record.serial().value()) : null);
        model.addAttribute("revocable", ours && record.status() == CertificateStatus.ISSUED);
        return "certificate";
    }

    @GetMapping("/certificates/{id}/pem")
    ResponseEntity<String> pem(@PathVariable long id) {
        CertificateRecord record = find(id);
        if (record.der() == null) {
            throw new NotFoundException("certificate " + record.serial().hex() + " has no PEM (not issued, or purged by retention)");
        }
        String pem = Pem.encode(Pem.CERTIFICATE, record.der()) + (record.chainPem() == null ? "" : record.chainPem());
        return ResponseEntity.ok().contentType(MediaType.parseMediaType("application/pem-certificate-chain"))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + record.serial().hex() + ".pem\"").body(pem);
    }

    /** The confirmation step: what will be revoked, and the reason to pick. */
    @GetMapping("/certificates/{id}/revoke")
    String confirmRevoke(@PathVariable long id, Model model) {
        model.addAttribute("c", find(id));
        model.addAttribute("reasons", Arrays.stream(RevocationReason.values()).filter(r -> r != RevocationReason.removeFromCRL).map(Enum::name).toList());
        return "revoke";
    }

    @PostMapping("/certificates/{id}/revoke")
    String revoke(@PathVariable long id, @RequestParam String reason, @RequestParam(required = false) String confirm, Authentication actor,
            RedirectAttributes redirect) {
        if (!"yes".equals(confirm)) {
            throw new IllegalArgumentException("tick the confirmation to revoke");
        }
        RevocationReason why = RevocationReason.forRevoking(reason).orElseThrow(() -> new IllegalArgumentException(
                "reason must be one of " + RevocationReason.revokingNames()));
        CertificateRecord revoked = revocation.revoke(find(id).id(), why, actor.getName());
        redirect.addFlashAttribute("flash", "Certificate " + revoked.serial().hex() + " is revoked (" + why.name() + ").");
        return "redirect:/certificates/" + id;
    }

    private CertificateRecord find(long id) {
        return inventory.find(id).orElseThrow(() -> new NotFoundException("no certificate with id " + id));
    }

    /** 404 with a page that says what was not found. */
    static final class NotFoundException extends DashboardAdvice.NotFound {

        NotFoundException(String message) {
            super(message);
        }
    }
}
