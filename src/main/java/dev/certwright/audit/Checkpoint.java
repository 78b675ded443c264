package dev.certwright.audit;

import java.time.Instant;
import java.util.List;

/**
 * A signed statement of the chain heads at one time, as published to the checkpoint sink.
 *
 * @param at when it was made
 * @param heads the head of every keyed chain
 * @param line the line of the sink it was read from (0 when just made)
 */
public record Checkpoint(Instant at, List<Head> heads, int line) {

    /**
     * One chain's head: its last entry's id (the global sequence), the number of entries in the chain, and the last
     * entry's hash.
     */
    public record Head(int chain, long lastId, long entries, String lastHash) {
    }
}
