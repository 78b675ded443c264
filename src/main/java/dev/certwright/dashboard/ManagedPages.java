package dev.certwright.dashboard;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.deploy.DeployTargetService;
import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.deploy.DeploymentQueue;
import dev.certwright.inventory.ManagedCertificate;
import dev.certwright.inventory.ManagedCertificates;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.IssuedCertificate;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.issuance.ManagedCertificateSpec;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.renewal.RenewalService;

/**
 * Managed certificates: list, detail with history and deployments, renew, deploy now and create (OPERATOR), targets and
 * on-host keys (ADMIN).
 */
@Controller
class ManagedPages {

    static final int PAGE_SIZE = 50;

    private final ManagedCertificates slots;
    private final ManagedCertificateService managed;
    private final RenewalService renewals;
    private final DeploymentQueue deployments;
    private final DeploymentQueries deploymentHistory;
    private final DeployTargetService targets;
    private final IssuancePolicy policy;
    private final java.time.Clock clock;

    ManagedPages(ManagedCertificates slots, ManagedCertificateService managed, RenewalService renewals, DeploymentQueue deployments,
            DeploymentQueries deploymentHistory, DeployTargetService targets, IssuancePolicy policy, java.time.Clock clock) {
        this.clock = clock;
        this.slots = slots;
        this.managed = managed;
        this.renewals = renewals;
        this.deployments = deployments;
        this.deploymentHistory = deploymentHistory;
        this.targets = targets;
        this.policy = policy;
    }

    @GetMapping("/managed")
    String list(@RequestParam(required = false) String q, @RequestParam(defaultValue = "0") int page, Model model) {
        String query = q == null || q.isBlank() ? null : q.trim();
        int safePage = Math.max(0, page);
        model.addAttribute("q", query);
        model.addAttribute("slots", slots.page(query, safePage, PAGE_SIZE));
        long total = slots.count(query);
        model.addAttribute("total", total);
        model.addAttribute("page", safePage);
        model.addAttribute("lastPage", Math.max(0, (total - 1) / PAGE_SIZE));
        return "managed-list";
    }

    @GetMapping("/managed/{name}")
    String detail(@PathVariable String name, Model model) {
        ManagedCertificate slot = managed.get(name);
        model.addAttribute("slot", slot);
        model.addAttribute("now", clock.instant());
        model.addAttribute("history", managed.history(name));
        model.addAttribute("renewal", slots.renewalState(name).orElse(null));
        model.addAttribute("deployments", deploymentHistory.history(name, 20));
        model.addAttribute("allTargets", targets.list().stream().map(DeployTarget::name).toList());
        return "managed";
    }

    @PostMapping("/managed/{name}/renew")
    String renew(@PathVariable String name, Authentication actor, RedirectAttributes redirect) {
        IssuedCertificate issued = renewals.renewNow(name, actor.getName());
        redirect.addFlashAttribute("flash", "Renewed: serial " + issued.record().serial().hex() + ".");
        return "redirect:/managed/" + name;
    }

    @PostMapping("/managed/{name}/deploy")
    String deploy(@PathVariable String name, Authentication actor, RedirectAttributes redirect) {
        int queued = deployments.deployNow(name, actor.getName()).size();
        redirect.addFlashAttribute("flash", "Deployment queued to " + queued + " target(s).");
        return "redirect:/managed/" + name;
    }

    @GetMapping("/managed/new")
    String form(Model model) {
        model.addAttribute("profiles", policy.configuration().profiles().keySet().stream().sorted().toList());
        model.addAttribute("keyAlgorithms", List.of("EC-P256", "EC-P384", "RSA-2048", "RSA-3072", "RSA-4096", "Ed25519"));
        model.addAttribute("allTargets", targets.list().stream().map(DeployTarget::name).toList());
        return "managed-new";
    }

    @PostMapping("/managed/new")
    String create(@RequestParam String name, @RequestParam String profile, @RequestParam String dnsNames,
            @RequestParam(defaultValue = "") String ipAddresses, @RequestParam(defaultValue = "EC-P256") String keyAlgorithm,
            @RequestParam String owner, @RequestParam(defaultValue = "") String tags, @RequestParam(defaultValue = "") String validity,
            @RequestParam(required = false) List<String> targetNames, @RequestParam(defaultValue = "managed") String keyMode,
            @RequestParam(required = false) String revokeSuperseded, Authentication actor, RedirectAttributes redirect) {
        List<String> chosen = targetNames == null ? List.of() : targetNames;
        boolean admin = actor.getAuthorities().stream().anyMatch(a -> "ROLE_ADMIN".equals(a.getAuthority()));
        if (!admin && (!chosen.isEmpty() || "on-host".equals(keyMode))) {
            throw new IssuanceException(IssuanceException.Type.FORBIDDEN,
                    "Only an admin may name deployment targets or choose an on-host key. Nothing was created.");
        }
        List<String> unknown = targets.unknown(chosen);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("no deployment targets named " + unknown);
        }
        if (owner.isBlank() || owner.length() > 255) {
            throw new IllegalArgumentException("owner must be 1 to 255 characters");
        }
        Duration life = null;
        if (!validity.isBlank()) {
            try {
                life = Duration.parse(validity.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("validity must be an ISO-8601 duration such as P90D");
            }
        }
        managed.create(new ManagedCertificateSpec(name.trim(), profile, words(dnsNames), words(ipAddresses), keyAlgorithm, owner.trim(), words(tags),
                life, null, true, "on".equals(revokeSuperseded), keyMode, chosen), actor.getName(), admin);
        redirect.addFlashAttribute("flash", "Managed certificate " + name.trim() + " created and issued.");
        return "redirect:/managed/" + name.trim();
    }

    @PostMapping("/managed/{name}/targets")
    String setTargets(@PathVariable String name, @RequestParam(required = false) List<String> targetNames, Authentication actor,
            RedirectAttributes redirect) {
        List<String> chosen = targetNames == null ? List.of() : targetNames.stream().distinct().toList();
        deployments.changeTargets(name, chosen, actor.getName());
        redirect.addFlashAttribute("flash", "Targets of " + name + " are now " + chosen + ".");
        return "redirect:/managed/" + name;
    }

    private static List<String> words(String text) {
        return Arrays.stream(text.split("[\\s,]+")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }
}
