package dev.certwright.dashboard;

import java.time.Instant;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import dev.certwright.issuance.CaHierarchy;
import dev.certwright.issuance.IssuerView;

/**
 * The CA's issuers, every generation of each: its state, parent, validity, and the line of a rollover (predecessor,
 * successor and the time issuance switches to the successor). Read only; a rollover is an API call.
 */
@Controller
class IssuerPages {

    private final CaHierarchy hierarchy;

    IssuerPages(CaHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    /**
     * One generation as the page shows it, in plain values: templates may not read the JDK's certificate classes.
     *
     * @param signedBy the parent generation, or "self-signed", "external" (signed elsewhere) or "awaiting" (no certificate yet)
     * @param notAfter null while it awaits its certificate
     */
    record IssuerRow(String name, String issuer, int generation, String state, boolean crossSigned, String subject, String keyAlgorithm,
            String signedBy, boolean published, Instant notAfter, String predecessor, String successor, Instant switchAt) {

        static IssuerRow of(IssuerView view) {
            var certificate = view.certificate();
            String signedBy = view.parent() != null ? view.parent() : certificate == null ? "awaiting" : view.chain().size() == 1 ? "self-signed" : "external";
            return new IssuerRow(view.name(), view.logicalName(), view.generation(), view.state().name(), view.crossCertificate() != null,
                    view.subject(), view.keyAlgorithm(), signedBy, certificate != null, certificate == null ? null : certificate.getNotAfter().toInstant(),
                    view.predecessor(), view.successor(), view.switchAt());
        }
    }

    @GetMapping("/issuers")
    String issuers(Model model) {
        model.addAttribute("issuers", hierarchy.issuers().stream().map(IssuerRow::of).toList());
        return "issuers";
    }
}
