package dev.certwright.dashboard;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.certwright.acme.AcmeAccounts;
import dev.certwright.audit.AuditLog;
import dev.certwright.delivery.ServiceTokens;
import dev.certwright.inventory.CertificateInventory;
import dev.certwright.inventory.CertificateRecord;
import dev.certwright.platform.JobRuns;

/** ACME accounts, service tokens, Quartz jobs (with "run now") and the audit log. The users are {@link UserPages}. */
@Controller
class OperationsPages {

    static final int PAGE_SIZE = 50;

    private final AcmeAccounts accounts;
    private final CertificateInventory inventory;
    private final ServiceTokens tokens;
    private final JobRuns jobs;
    private final AuditLog audit;
    private final org.springframework.transaction.support.TransactionTemplate transactions;

    private final dev.certwright.upstream.AcmeUpstreams upstreams;

    OperationsPages(AcmeAccounts accounts, CertificateInventory inventory, ServiceTokens tokens, JobRuns jobs,
            AuditLog audit, org.springframework.transaction.support.TransactionTemplate transactions,
            dev.certwright.upstream.AcmeUpstreams upstreams) {
        this.upstreams = upstreams;
        this.transactions = transactions;
        this.accounts = accounts;
        this.inventory = inventory;
        this.tokens = tokens;
        this.jobs = jobs;
        this.audit = audit;
    }

    @GetMapping("/acme-accounts")
    String accounts(@RequestParam(defaultValue = "0") int page, Model model) {
        int safePage = Math.max(0, page);
        long total = accounts.count();
        model.addAttribute("accounts", accounts.list(safePage, PAGE_SIZE));
        model.addAttribute("total", total);
        model.addAttribute("page", safePage);
        model.addAttribute("lastPage", Math.max(0, (total - 1) / PAGE_SIZE));
        // Our own accounts at upstream ACME CAs (decision 76): thumbprint and URL, never the key.
        model.addAttribute("upstreamAccounts", upstreams.accounts());
        return "acme-accounts";
    }

    @GetMapping("/acme-accounts/{id}")
    String account(@PathVariable long id, Model model) {
        model.addAttribute("a", accounts.find(id).orElseThrow(() -> new DashboardAdvice.NotFound("no ACME account " + id)));
        List<CertificateRecord> certificates = new ArrayList<>();
        for (long certificateId : accounts.certificatesOf(id, 50)) {
            inventory.find(certificateId).ifPresent(certificates::add);
        }
        model.addAttribute("certificates", certificates);
        return "acme-account";
    }

    @GetMapping("/service-tokens")
    String tokens(Model model) {
        model.addAttribute("tokens", tokens.list());
        return "service-tokens";
    }

    @PostMapping("/service-tokens")
    String createToken(@RequestParam String name, @RequestParam String managedCertificates, @RequestParam(defaultValue = "") String expiresIn,
            Authentication actor, Model model) {
        Duration expiry = null;
        if (!expiresIn.isBlank()) {
            try {
                expiry = Duration.parse(expiresIn.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("expiresIn must be an ISO-8601 duration such as P90D");
            }
        }
        ServiceTokens.Created created = tokens.create(name.trim(), List.of(managedCertificates.trim().split("[\\s,]+")), expiry, actor.getName());
        // Shown once, on this page only (not a redirect: the value must not travel in a URL or a flash in the session).
        model.addAttribute("created", created);
        model.addAttribute("tokens", tokens.list());
        return "service-tokens";
    }

    /** One service token: what it may read, and what the audit log says it did (its key deliveries among them). */
    @GetMapping("/service-tokens/{name}")
    String token(@PathVariable String name, Model model) {
        model.addAttribute("t", tokens.list().stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new DashboardAdvice.NotFound("no service token named " + name)));
        model.addAttribute("entries", audit.search(null, null, "token:" + name, null, 0, PAGE_SIZE));
        model.addAttribute("history", audit.search("service-token", name, null, null, 0, PAGE_SIZE));
        return "service-token";
    }

    @PostMapping("/service-tokens/{name}/revoke")
    String revokeToken(@PathVariable String name, Authentication actor, RedirectAttributes redirect) {
        tokens.revoke(name, actor.getName());
        redirect.addFlashAttribute("flash", "Service token " + name + " is revoked.");
        return "redirect:/service-tokens";
    }

    @GetMapping("/jobs")
    String jobs(Model model) {
        model.addAttribute("jobs", jobs.list());
        return "jobs";
    }

    @PostMapping("/jobs/{group}/{name}/run")
    String runJob(@PathVariable String group, @PathVariable String name, Authentication actor, RedirectAttributes redirect) {
        if (!jobs.runNow(group, name)) {
            throw new DashboardAdvice.NotFound("no job " + group + "/" + name);
        }
        transactions.executeWithoutResult(tx -> audit.append(actor.getName(), "job.triggered", "job", group + "/" + name, ""));
        redirect.addFlashAttribute("flash", "Job " + group + "/" + name + " fired; the cluster runs it on one node.");
        return "redirect:/jobs";
    }

    @GetMapping("/audit")
    String audit(@RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String certificate, @RequestParam(defaultValue = "0") int page, Model model) {
        String subjectType = blank(certificate) ? null : "certificate";
        int safePage = Math.max(0, page);
        model.addAttribute("entries", audit.search(subjectType, blank(certificate) ? null : certificate.trim().toLowerCase().replace(":", ""),
                blank(actor) ? null : actor.trim(), blank(action) ? null : action.trim(), safePage, PAGE_SIZE));
        model.addAttribute("actor", actor);
        model.addAttribute("action", action);
        model.addAttribute("certificate", certificate);
        model.addAttribute("page", safePage);
        return "audit";
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
