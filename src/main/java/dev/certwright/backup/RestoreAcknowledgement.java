package dev.certwright.backup;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditCheckpoints;
import dev.certwright.audit.AuditLog;
import dev.certwright.backup.internal.RestoreMarker;
import dev.certwright.platform.DataDirectory;

/**
 * The restored node's first start (decision 69): when {@code restore} left its marker in the data directory, the
 * restore is recorded as a {@code backup.restored} audit entry and a signed restore statement is appended to the
 * checkpoint sink, so that the checkpoints published after the backup was taken are read as the history the restore
 * abandoned, not as tampering. Both steps are idempotent (a start that stops halfway does them once when it comes
 * back); the marker goes last. Without a marker this is one file lookup.
 */
@Component
public class RestoreAcknowledgement {

    private static final Logger log = LoggerFactory.getLogger(RestoreAcknowledgement.class);

    private final DataDirectory dataDirectory;
    private final AuditLog audit;
    private final AuditCheckpoints checkpoints;
    private final TransactionTemplate transactions;
    private volatile Instant restoredFrom;

    RestoreAcknowledgement(DataDirectory dataDirectory, AuditLog audit, AuditCheckpoints checkpoints, TransactionTemplate transactions) {
        this.dataDirectory = dataDirectory;
        this.audit = audit;
        this.checkpoints = checkpoints;
        this.transactions = transactions;
    }

    /**
     * Records a pending restore, if there is one. Called once the CA is open (the entry's MAC and the statement's
     * signature need its keys), with the CA passphrase the node opened it with, which authenticates the marker.
     */
    public void acknowledge(char[] caPassphrase) {
        if (!RestoreMarker.pending(dataDirectory.root())) {
            return;
        }
        Optional<RestoreMarker> found = RestoreMarker.read(dataDirectory.root(), caPassphrase);
        if (found.isEmpty()) {
            return;
        }
        RestoreMarker marker = found.get();
        String details = "restored from backup taken at " + marker.backupTakenAt() + " (Certwright " + marker.certwrightVersion() + ", "
                + marker.database() + ", schema " + marker.schemaVersion() + ", " + marker.mode() + ") on " + marker.restoredAt() + " by "
                + marker.restoredBy() + "; restore " + marker.restoreId() + "; the audit chains continue from the backup's "
                + marker.heads().stream().mapToLong(h -> h.entries()).sum() + " entries, and nothing written after " + marker.backupTakenAt()
                + " is in this database";
        boolean recorded = audit.forSubject("backup", marker.backupId()).stream()
                .anyMatch(e -> e.action().equals("backup.restored") && e.details().contains("restore " + marker.restoreId() + ";"));
        if (!recorded) {
            transactions.executeWithoutResult(tx -> audit.append("system", "backup.restored", "backup", marker.backupId(), details));
        }
        checkpoints.publishRestore(marker.restoreId(), marker.backupId(), marker.backupTakenAt(), List.copyOf(marker.heads()));
        try {
            RestoreMarker.remove(dataDirectory.root());
        } catch (IOException e) {
            // Harmless: the next start finds both steps done and tries again.
            log.warn("could not remove {}: {}", dataDirectory.resolve(RestoreMarker.FILE), e.getMessage());
        }
        restoredFrom = marker.backupTakenAt();
        log.info("recorded the restore of backup {} taken at {} (restore {})", marker.backupId(), marker.backupTakenAt(), marker.restoreId());
    }

    /**
     * When the backup this node was restored from was taken, if this start recorded the restore: what the node
     * published after that time (CRLs, OCSP answers) may be newer than what its database holds.
     */
    public Optional<Instant> restoredAtThisStart() {
        return Optional.ofNullable(restoredFrom);
    }
}
