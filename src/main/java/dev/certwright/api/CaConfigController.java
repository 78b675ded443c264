package dev.certwright.api;

import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.issuance.CaHierarchy;
import dev.certwright.issuance.ConfigChanges;

/**
 * Reloads ca-config on this node: issuers added to the file are created, removed ones retire, and profiles and policy
 * are replaced. {@code dryRun=true} only says what would change. A change that would alter an existing issuer, or
 * remove one that still has certificates to answer for, is refused (409) and nothing is applied. Other nodes pick up
 * the new issuers by themselves; their profiles and policy change when they are reloaded or restarted.
 */
@RestController
class CaConfigController {

    private final CaHierarchy hierarchy;

    CaConfigController(CaHierarchy hierarchy) {
        this.hierarchy = hierarchy;
    }

    @PostMapping("/api/v1/ca-config/reload")
    ConfigChanges reload(@RequestParam(defaultValue = "false") boolean dryRun, Authentication actor) {
        return hierarchy.reload(dryRun, actor.getName());
    }
}
