package dev.certwright.audit;

import java.time.Instant;
import java.util.List;

/**
 * A signed statement, in the checkpoint sink, that the database was restored from a backup (decision 69): the chains
 * continue from {@code heads}, the heads as the backup held them, and whatever the checkpoints published before this
 * statement name beyond those heads is a history the restore abandoned. It is signed with the checkpoint key, which
 * only a node holding the CA can use, so a database writer cannot forge one to hide a rollback of their own.
 *
 * @param at when the restored node made the statement
 * @param restoreId the restore's own id (one statement per restore: a repeated id is a replayed line)
 * @param backupId the id of the backup restored, from its manifest
 * @param backupTakenAt when that backup was taken
 * @param heads the head of every chain as restored (a chain that was empty in the backup is left out)
 * @param line the line of the sink it was read from (0 when just made)
 */
public record RestoreStatement(Instant at, String restoreId, String backupId, Instant backupTakenAt, List<Checkpoint.Head> heads, int line) {

    /** Per chain, the number of entries the restored history kept (0 for a chain the statement does not name). */
    long[] restoredEntries() {
        long[] entries = new long[AuditLog.CHAINS];
        for (Checkpoint.Head head : heads) {
            if (head.chain() >= 0 && head.chain() < AuditLog.CHAINS) {
                entries[head.chain()] = head.entries();
            }
        }
        return entries;
    }
}
