package dev.certwright.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import dev.certwright.deploy.DeploymentQueries;
import dev.certwright.discovery.CertificateEndpoints;
import dev.certwright.inventory.CertificateSource;
import dev.certwright.inventory.InventoryStatistics;
import dev.certwright.platform.JobRuns;
import dev.certwright.revocation.RevocationHealth;

/**
 * The sign-in page and the overview: what expires within 7, 30 and 90 days (each a link to the filtered inventory),
 * expirations per week for 13 weeks as server-rendered SVG, the soonest to expire, failed renewals and deployments, and
 * the CA's health (issuers, CRLs, OCSP, jobs). Every figure is one indexed query; nothing loads the inventory.
 */
@Controller
class HomeController {

    static final int WEEKS = 13;

    private final InventoryStatistics statistics;
    private final DeploymentQueries deployments;
    private final RevocationHealth revocation;
    private final JobRuns jobs;
    private final Clock clock;
    private final ViewHelpers view;
    private final CertificateEndpoints endpoints;

    HomeController(InventoryStatistics statistics, DeploymentQueries deployments, RevocationHealth revocation, JobRuns jobs, Clock clock,
            ViewHelpers view, CertificateEndpoints endpoints) {
        this.endpoints = endpoints;
        this.view = view;
        this.statistics = statistics;
        this.deployments = deployments;
        this.revocation = revocation;
        this.jobs = jobs;
        this.clock = clock;
    }

    @org.springframework.beans.factory.annotation.Autowired
    void setSignInMethods(dev.certwright.platform.SignInMethods signInMethods) {
        this.signInMethods = signInMethods;
    }

    private dev.certwright.platform.SignInMethods signInMethods = new dev.certwright.platform.SignInMethods(true, false, null, null);

    @GetMapping("/login")
    String login(org.springframework.ui.Model model) {
        model.addAttribute("signIn", signInMethods);
        return "login";
    }

    /** One bar of the weekly chart, in SVG user units. */
    record Bar(int x, int y, int width, int height, long count, String label, boolean soon) {
    }

    @GetMapping("/")
    String overview(Model model) {
        Instant now = clock.instant();
        InventoryStatistics.Overview figures = statistics.overview(WEEKS);
        model.addAttribute("within7", figures.within7());
        model.addAttribute("within30", figures.within30());
        model.addAttribute("within90", figures.within90());
        model.addAttribute("figures", figures);
        List<Long> weeks = figures.weeks();
        long max = Math.max(1, weeks.stream().mapToLong(Long::longValue).max().orElse(1));
        List<Bar> bars = new ArrayList<>();
        int chartHeight = 140;
        for (int w = 0; w < weeks.size(); w++) {
            int height = (int) Math.round(weeks.get(w) * (double) chartHeight / max);
            bars.add(new Bar(40 + w * 52, 10 + chartHeight - height, 40, height, weeks.get(w),
                    view.day(now.plus(Duration.ofDays(7L * w))), w < 1));
        }
        model.addAttribute("bars", bars);
        model.addAttribute("chartMax", max);
        model.addAttribute("soonest", statistics.soonest(10));
        model.addAttribute("failingRenewals", statistics.failingRenewals(10));
        model.addAttribute("failedDeployments", deployments.problemsSince(now.minus(Duration.ofDays(7)), 10));
        model.addAttribute("issuers", revocation.issuers());
        model.addAttribute("presign", revocation.presigned(now));
        model.addAttribute("jobs", jobs.list());
        java.util.Map<CertificateSource, Long> sources = statistics.countsBySource();
        model.addAttribute("issuedCount", sources.get(CertificateSource.ISSUED) + sources.get(CertificateSource.ACME));
        model.addAttribute("discoveredCount", sources.get(CertificateSource.DISCOVERED));
        model.addAttribute("importedCount", sources.get(CertificateSource.IMPORTED));
        model.addAttribute("findings", endpoints.findingCounts());
        return "overview";
    }
}
