package dev.certwright.api;

import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.certwright.audit.AuditCheckpoints;
import dev.certwright.audit.AuditExport;
import dev.certwright.audit.AuditLog;
import dev.certwright.issuance.IssuanceException;

/** Reads the audit log, exports it for a SIEM, and checks its chains against their keys and the signed checkpoints. */
@RestController
class AuditController {

    static final MediaType NDJSON = MediaType.parseMediaType("application/x-ndjson");

    private final AuditLog audit;
    private final AuditCheckpoints checkpoints;
    private final AuditExport export;

    AuditController(AuditLog audit, AuditCheckpoints checkpoints, AuditExport export) {
        this.audit = audit;
        this.checkpoints = checkpoints;
        this.export = export;
    }

    /** A page of entries, newest first, as a JSON array ({@code format=json}, the default). */
    @GetMapping("/api/v1/audit-log")
    List<AuditLog.Entry> search(@RequestParam(required = false) String subjectType, @RequestParam(required = false) String subjectId,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "100") int size,
            @RequestParam(required = false) String format, @RequestParam(required = false) String since) {
        if (format != null && !format.equals("json") && !format.equals("jsonl")) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "format must be json or jsonl");
        }
        if (since != null) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "since is for format=jsonl");
        }
        if (page < 0 || size < 1 || size > 500) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "page must be 0 or more and size from 1 to 500");
        }
        return audit.search(subjectType, subjectId, actor, action, page, size);
    }

    /**
     * {@code format=jsonl}: every entry after {@code since} (an entry id, or an ISO-8601 instant) as JSON lines, streamed,
     * followed by the published checkpoints: what the offline verifier ({@code scripts/audit-verify.sh}) needs.
     */
    @GetMapping(path = "/api/v1/audit-log", params = "format=jsonl")
    ResponseEntity<StreamingResponseBody> export(@RequestParam(required = false) String since,
            @RequestParam(required = false) String subjectType, @RequestParam(required = false) String subjectId,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action) {
        if (subjectType != null || subjectId != null || actor != null || action != null) {
            // A filtered export could not be checked offline: the chains need every entry.
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "the jsonl export takes no filters but since");
        }
        long sinceId = 0;
        Instant sinceTime = null;
        if (since != null && !since.isEmpty()) {
            if (since.chars().allMatch(Character::isDigit) && since.length() <= 18) {
                sinceId = Long.parseLong(since);
            } else {
                try {
                    sinceTime = OffsetDateTime.parse(since).toInstant();
                } catch (DateTimeParseException e) {
                    throw new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                            "since must be an entry id or an ISO-8601 date-time with offset, such as 2026-01-31T12:00:00Z");
                }
            }
        }
        // Anchor what is exported: a checkpoint of the current heads (written only if they changed since the last one).
        export.anchor();
        long fromId = sinceId;
        Instant fromTime = sinceTime;
        StreamingResponseBody body = out -> export.write(new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8)), fromId, fromTime);
        return ResponseEntity.ok().contentType(NDJSON).body(body);
    }

    /**
     * The result of checking the chains: valid, or the first entry that does not verify (0 when only a chain's head is
     * wrong: entries cut off the end), what is wrong, and which checkpoints were checked, how many restores from backup
     * the sink records and how many checkpoints those superseded (decision 69), with the public key that signs them (a
     * JWK), for offline verifiers to pin.
     */
    record ChainCheck(boolean valid, Long firstBrokenEntry, String problem, int checkpoints, Instant latestCheckpoint, int restores,
            int supersededCheckpoints, Map<String, Object> checkpointKey) {
    }

    @GetMapping("/api/v1/audit-log/verify")
    ChainCheck verify() {
        AuditLog.Verification result = audit.verify();
        return new ChainCheck(result.valid(), result.firstBrokenEntry(), result.problem(), result.checkpoints(), result.latestCheckpoint(),
                result.restores(), result.supersededCheckpoints(), checkpoints.publicKey().orElse(null));
    }
}
