package dev.certwright.dashboard;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

import dev.certwright.discovery.CertificateEndpoints;
import dev.certwright.discovery.DiscoveryScans;
import dev.certwright.discovery.ScanRun;

/**
 * The Discovery page (decision 75): the scans, their latest runs with progress and errors, and the findings with a link
 * to the certificates that have each. ADMIN, as the scans API is: a scan names the networks the server reaches into.
 * "Run now" queues a run as {@code POST /api/v1/discovery/scans/{name}/run} does.
 */
@Controller
class DiscoveryPages {

    private final DiscoveryScans scans;
    private final CertificateEndpoints endpoints;

    DiscoveryPages(DiscoveryScans scans, CertificateEndpoints endpoints) {
        this.scans = scans;
        this.endpoints = endpoints;
    }

    @GetMapping("/discovery")
    String page(Model model) {
        model.addAttribute("scans", scans.list());
        model.addAttribute("runs", scans.recentRuns(50));
        model.addAttribute("findings", endpoints.findingCounts());
        return "discovery";
    }

    @PostMapping("/discovery/{name}/run")
    String run(@PathVariable String name, Authentication actor, RedirectAttributes redirect) {
        ScanRun run = scans.requestRun(name, actor.getName());
        redirect.addFlashAttribute("flash", "Run " + run.id() + " of scan " + name + " is queued.");
        return "redirect:/discovery";
    }
}
