package dev.certwright.dashboard;

import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

import dev.certwright.issuance.CaHierarchy;

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

    @GetMapping("/issuers")
    String issuers(Model model) {
        model.addAttribute("issuers", hierarchy.issuers());
        return "issuers";
    }
}
