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
import dev.certwright.platform.Roles;
import dev.certwright.platform.Users;

/** ACME accounts, service tokens, Quartz jobs (with "run now"), the audit log and the dashboard's users. */
@Controller
class OperationsPages {

    static final int PAGE_SIZE = 50;

    private final AcmeAccounts accounts;
    private final CertificateInventory inventory;
    private final ServiceTokens tokens;
    private final JobRuns jobs;
    private final AuditLog audit;
    private final Users users;
    private final org.springframework.transaction.support.TransactionTemplate transactions;

    OperationsPages(AcmeAccounts accounts, CertificateInventory inventory, ServiceTokens tokens, JobRuns jobs,
            AuditLog audit, Users users, org.springframework.transaction.support.TransactionTemplate transactions) {
        this.transactions = transactions;
        this.accounts = accounts;
        this.inventory = inventory;
        this.tokens = tokens;
        this.jobs = jobs;
        this.audit = audit;
        this.users = users;
    }

    @GetMapping("/acme-accounts")
    String accounts(@RequestParam(defaultValue = "0") int page, Model model) {
        int safePage = Math.max(0, page);
        long total = accounts.count();
        model.addAttribute("accounts", accounts.list(safePage, PAGE_SIZE));
        model.addAttribute("total", total);
        model.addAttribute("page", safePage);
        model.addAttribute("lastPage", Math.max(0, (total - 1) / PAGE_SIZE));
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

    @GetMapping("/users")
    String users(Model model) {
        model.addAttribute("users", users.list());
        model.addAttribute("roles", List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN));
        return "users";
    }

    @PostMapping("/users")
    String createUser(@RequestParam String username, @RequestParam String password, @RequestParam String role, Authentication actor,
            RedirectAttributes redirect) {
        String name = username.trim();
        if (!name.matches("[A-Za-z0-9._@-]{1,128}")) {
            throw new IllegalArgumentException("a user name is 1 to 128 letters, digits, '.', '_', '@' or '-'");
        }
        if (!List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN).contains(role)) {
            throw new IllegalArgumentException("role must be VIEWER, OPERATOR or ADMIN");
        }
        if (password.length() < 12 || password.length() > 200) {
            throw new IllegalArgumentException("a password has 12 to 200 characters");
        }
        if (users.exists(name)) {
            throw new IllegalArgumentException("a user named " + name + " exists");
        }
        transactions.executeWithoutResult(tx -> {
            users.create(name, password, role);
            audit.append(actor.getName(), "user.created", "user", name, "role=" + role);
        });
        redirect.addFlashAttribute("flash", "User " + name + " (" + role + ") created.");
        return "redirect:/users";
    }

    @PostMapping("/users/{username}/enabled")
    String enable(@PathVariable String username, @RequestParam boolean enabled, Authentication actor, RedirectAttributes redirect) {
        if (username.equals(actor.getName()) && !enabled) {
            throw new IllegalArgumentException("you cannot disable yourself");
        }
        transactions.executeWithoutResult(tx -> {
            if (!users.setEnabled(username, enabled)) {
                throw new DashboardAdvice.NotFound("no user " + username);
            }
            audit.append(actor.getName(), enabled ? "user.enabled" : "user.disabled", "user", username, "");
        });
        redirect.addFlashAttribute("flash", "User " + username + (enabled ? " enabled." : " disabled."));
        return "redirect:/users";
    }

    @PostMapping("/users/{username}/role")
    String changeRole(@PathVariable String username, @RequestParam String role, Authentication actor, RedirectAttributes redirect) {
        if (!List.of(Roles.VIEWER, Roles.OPERATOR, Roles.ADMIN).contains(role)) {
            throw new IllegalArgumentException("role must be VIEWER, OPERATOR or ADMIN");
        }
        if (username.equals(actor.getName())) {
            throw new IllegalArgumentException("you cannot change your own role");
        }
        transactions.executeWithoutResult(tx -> {
            String before = users.standing(username).map(Users.Standing::role)
                    .orElseThrow(() -> new DashboardAdvice.NotFound("no user " + username));
            users.setRole(username, role);
            audit.append(actor.getName(), "user.role-changed", "user", username, "from=" + before + " to=" + role);
        });
        // The user's open sessions end on their next request (SessionStandingFilter): they sign in again with the new role.
        redirect.addFlashAttribute("flash", "User " + username + " is now " + role + ".");
        return "redirect:/users";
    }

    @PostMapping("/users/{username}/password")
    String changePassword(@PathVariable String username, @RequestParam String password, Authentication actor, RedirectAttributes redirect) {
        if (password.length() < 12 || password.length() > 200) {
            throw new IllegalArgumentException("a password has 12 to 200 characters");
        }
        transactions.executeWithoutResult(tx -> {
            if (!users.setPassword(username, password)) {
                throw new DashboardAdvice.NotFound("no user " + username);
            }
            audit.append(actor.getName(), "user.password-changed", "user", username, "");
        });
        redirect.addFlashAttribute("flash", "The password of " + username + " is changed.");
        return "redirect:/users";
    }

    private static boolean blank(String text) {
        return text == null || text.isBlank();
    }
}
