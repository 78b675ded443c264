package dev.certwright.api;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.audit.AuditLog;
import dev.certwright.issuance.IssuanceException;

/** Reads the audit log and checks its hash chain. */
@RestController
class AuditController {

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping("/api/v1/audit-log")
    List<AuditLog.Entry> search(@RequestParam(required = false) String subjectType, @RequestParam(required = false) String subjectId,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "100") int size) {
        if (page < 0 || size < 1 || size > 500) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "page must be 0 or more and size from 1 to 500");
        }
        return audit.search(subjectType, subjectId, actor, action, page, size);
    }

    /**
     * The result of recomputing the chains: valid, or the first entry whose hash does not match (0 when entries were
     * cut off the end of a chain).
     */
    record ChainCheck(boolean valid, Long firstBrokenEntry) {
    }

    @GetMapping("/api/v1/audit-log/verify")
    ChainCheck verify() {
        long broken = audit.verify();
        return new ChainCheck(broken < 0, broken < 0 ? null : broken);
    }
}
