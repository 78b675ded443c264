package dev.certwright.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.stereotype.Component;

/**
 * The audit log as JSON lines, for a SIEM: a header line ({@code "type":"export"}, with the public checkpoint key), one
 * line per entry ({@code "type":"entry"}: every field the chain hash covers, the previous hash, the hash, the scheme and
 * the MAC), then every published checkpoint ({@code "type":"checkpoint"}, as in the sink). {@link AuditExportVerifier}
 * checks such a file offline. A checkpoint of the current heads is published first, so that the export is anchored.
 */
@Component
public class AuditExport {

    private final AuditLog audit;
    private final AuditCheckpoints checkpoints;
    private final Clock clock;

    public AuditExport(AuditLog audit, AuditCheckpoints checkpoints, Clock clock) {
        this.audit = audit;
        this.checkpoints = checkpoints;
        this.clock = clock;
    }

    /** Publishes a checkpoint of the current heads, if they changed: call before streaming, in the request thread. */
    public void anchor() {
        checkpoints.publish();
    }

    /** Writes every entry after {@code sinceId} (and from {@code sinceTime}, when given), then the checkpoints. */
    public void write(Writer out, long sinceId, Instant sinceTime) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("type", "export");
        header.put("exportedAt", clock.instant().toString());
        header.put("sinceId", sinceId);
        header.put("sinceTime", sinceTime == null ? null : sinceTime.toString());
        checkpoints.publicKey().ifPresent(key -> header.put("checkpointKey", key));
        // Only checkpoints published before the entries are read go with them: every head they name is then exported.
        long checkpointsUpTo = checkpoints.size();
        out.write(AuditCheckpoints.JSON.writeValueAsString(header));
        out.write('\n');
        try {
            audit.export(sinceId, sinceTime, entry -> line(out, AuditCheckpoints.JSON.writeValueAsString(line(entry))));
            checkpoints.rawLines(checkpointsUpTo, text -> line(out, text));
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        out.flush();
    }

    static Map<String, Object> line(AuditLog.Entry entry) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("type", "entry");
        line.put("id", entry.id());
        line.put("chain", entry.chain());
        line.put("scheme", entry.scheme());
        line.put("occurredAt", entry.occurredAt().toString());
        line.put("actor", entry.actor());
        line.put("action", entry.action());
        line.put("subjectType", entry.subjectType());
        line.put("subjectId", entry.subjectId());
        line.put("details", entry.details());
        line.put("prevHash", entry.prevHash());
        line.put("hash", entry.hash());
        line.put("mac", entry.mac());
        return line;
    }

    private static void line(Writer out, String text) {
        try {
            out.write(text);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
