package dev.certwright.dashboard;

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
import dev.certwright.inventory.ManagedCertificates;

/** Deployment targets: list, detail with last probes, create and edit (ADMIN). */
@Controller
class TargetPages {

    private final DeployTargetService targets;
    private final DeploymentQueries deployments;
    private final ManagedCertificates slots;

    TargetPages(DeployTargetService targets, DeploymentQueries deployments, ManagedCertificates slots) {
        this.targets = targets;
        this.deployments = deployments;
        this.slots = slots;
    }

    @GetMapping("/targets")
    String list(Model model) {
        model.addAttribute("targets", targets.list());
        model.addAttribute("sshKey", targets.sshPublicKey());
        return "targets";
    }

    @GetMapping("/targets/{name}")
    String detail(@PathVariable String name, Model model) {
        model.addAttribute("t", targets.get(name));
        model.addAttribute("probes", deployments.probes(name));
        model.addAttribute("slots", slots.namingTarget(name));
        return "target";
    }

    @GetMapping("/targets/new")
    String form(Model model) {
        model.addAttribute("t", null);
        model.addAttribute("kinds", DeployTarget.KINDS);
        return "target-form";
    }

    @GetMapping("/targets/{name}/edit")
    String edit(@PathVariable String name, Model model) {
        model.addAttribute("t", targets.get(name));
        model.addAttribute("kinds", DeployTarget.KINDS);
        return "target-form";
    }

    @PostMapping({"/targets/new", "/targets/{name}/edit"})
    String save(@PathVariable(required = false) String name, @RequestParam(required = false) String newName, @RequestParam String kind,
            @RequestParam String host, @RequestParam(defaultValue = "22") int port, @RequestParam String user, @RequestParam String hostKeySha256,
            @RequestParam(defaultValue = "") String certificatePath, @RequestParam(defaultValue = "") String chainPath,
            @RequestParam(defaultValue = "") String fullchainPath, @RequestParam(defaultValue = "") String keyPath,
            @RequestParam(defaultValue = "") String combinedPemPath, @RequestParam(defaultValue = "0644") String fileMode,
            @RequestParam(defaultValue = "0600") String keyMode, @RequestParam(defaultValue = "") String reloadCommand,
            @RequestParam String probeHost, @RequestParam int probePort, @RequestParam(defaultValue = "") String probeServerName,
            @RequestParam(defaultValue = "") String webroot, Authentication actor, RedirectAttributes redirect) {
        DeployTarget target = new DeployTarget(name != null ? name : newName, kind, host.trim(), port, user.trim(), hostKeySha256.trim(),
                new DeployTarget.Paths(blank(certificatePath), blank(chainPath), blank(fullchainPath), blank(keyPath), blank(combinedPemPath)),
                null, null, octal(fileMode), octal(keyMode), blank(reloadCommand),
                new DeployTarget.Probe(probeHost.trim(), probePort, blank(probeServerName)), blank(webroot));
        if (name == null) {
            targets.create(target, actor.getName());
        } else {
            targets.update(target, actor.getName());
        }
        redirect.addFlashAttribute("flash", "Target " + target.name() + " saved.");
        return "redirect:/targets/" + target.name();
    }

    private static String blank(String text) {
        return text == null || text.isBlank() ? null : text.trim();
    }

    private static int octal(String text) {
        if (!text.matches("0?[0-7]{3}")) {
            throw new IllegalArgumentException("modes are octal permission bits such as 0644");
        }
        return Integer.parseInt(text, 8);
    }
}
