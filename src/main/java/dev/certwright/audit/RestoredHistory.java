package dev.certwright.audit;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which signed heads still describe the log after restores (decision 69), for the server's verify and the offline
 * verifier alike. A restore rolls every chain back to the backup's heads; what a checkpoint published earlier in the
 * sink names beyond them was written after the backup and is gone by design. Such a head is superseded: not checked.
 * Everything else still is: a checkpointed head at or before the restored position must be in the chain, with the same
 * hash at the same position, and so must the restored heads themselves. The order that counts is the order of lines in
 * the append-only sink, not clocks: a checkpoint appended after a restore statement is checked in full.
 */
final class RestoredHistory {

    private final List<RestoreStatement> restores;

    RestoredHistory(List<RestoreStatement> restores) {
        this.restores = List.copyOf(restores);
    }

    /**
     * Per chain, how many entries of the history seen by a statement on {@code line} survive in the current log: the
     * fewest any later restore kept, or {@link Long#MAX_VALUE} when no restore came after it.
     */
    long[] surviving(int line) {
        long[] surviving = new long[AuditLog.CHAINS];
        Arrays.fill(surviving, Long.MAX_VALUE);
        for (RestoreStatement restore : restores) {
            if (restore.line() > line) {
                long[] kept = restore.restoredEntries();
                for (int c = 0; c < AuditLog.CHAINS; c++) {
                    surviving[c] = Math.min(surviving[c], kept[c]);
                }
            }
        }
        return surviving;
    }

    /** Whether a head named by the statement on {@code line} is still part of the log, and so must be checked. */
    boolean current(int line, Checkpoint.Head head) {
        return head.chain() < 0 || head.chain() >= AuditLog.CHAINS || head.entries() <= surviving(line)[head.chain()];
    }

    /** Whether any head of a checkpoint was superseded by a later restore. */
    boolean superseded(Checkpoint checkpoint) {
        return checkpoint.heads().stream().anyMatch(head -> !current(checkpoint.line(), head));
    }

    /**
     * A restore statement's id appears once: the same signed line appended again later (a replay) would otherwise make
     * every checkpoint before the copy look superseded. Returns what is wrong, if anything.
     */
    Optional<String> replayed() {
        Map<String, Integer> first = new HashMap<>();
        for (RestoreStatement restore : restores) {
            Integer earlier = first.putIfAbsent(restore.restoreId(), restore.line());
            if (earlier != null) {
                return Optional.of("the restore statement on line " + restore.line() + " repeats the one on line " + earlier
                        + " (restore " + restore.restoreId() + "): a replayed line");
            }
        }
        return Optional.empty();
    }
}
