package dev.certwright.audit;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.nimbusds.jose.jwk.ECKey;

import tools.jackson.databind.JsonNode;

/**
 * Checks an audit export ({@link AuditExport}) offline, without the database and without the chain key:
 * <ul>
 * <li>within each chain, every entry links to the one before it, and its SHA-256 hash is recomputed from its fields;</li>
 * <li>every checkpoint's ES256 signature verifies under the pinned public key (the JWK shown by
 * {@code GET /api/v1/audit-log/verify} as {@code checkpointKey}; the key in the export's header is not trusted);</li>
 * <li>every checkpointed head that falls inside the exported range is an exported entry with the same hash (and, for a
 * full export, at the same position in its chain); the export carries only checkpoints published before its entries
 * were read, so a head missing from it was cut.</li>
 * </ul>
 * A rewrite anywhere before a checkpoint therefore fails. Restore statements ({@code "type":"restore"}, decision 69)
 * are checked like checkpoints (signature, and their heads present), and the heads that checkpoints before one name
 * beyond the restored position are superseded, not missing; the same restore twice is a replayed line and fails. The
 * entries' MACs need the chain key and are checked by the server's verify only. Entries after the newest checkpoint of their chain are reported as not yet anchored. Run as
 * {@code scripts/audit-verify.sh export.jsonl checkpoint-key.jwk}; exit status 0 valid, 1 invalid, 2 usage or I/O error.
 */
public final class AuditExportVerifier {

    private AuditExportVerifier() {
    }

    /** What the check found. */
    public record Result(boolean valid, String problem, long entries, int checkpoints, long unanchored, int restores) {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: audit-verify <export.jsonl> <checkpoint-key.jwk>");
            System.exit(2);
        }
        try {
            Result result = verify(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8),
                    ECKey.parse(Files.readString(Path.of(args[1]), StandardCharsets.UTF_8)));
            report(result, System.out);
            System.exit(result.valid() ? 0 : 1);
        } catch (IOException | java.text.ParseException e) {
            System.err.println("cannot read the export or the key: " + e.getMessage());
            System.exit(2);
        }
    }

    static void report(Result result, PrintStream out) {
        if (result.valid()) {
            out.println("VALID: " + result.entries() + " entries, " + result.checkpoints() + " signed checkpoints"
                    + (result.restores() > 0 ? ", " + result.restores() + " restores from backup" : "") + "; " + result.unanchored()
                    + " entries after the newest checkpoint of their chain are not anchored yet (MACs are checked by the server only)");
        } else {
            out.println("INVALID: " + result.problem());
        }
    }

    private record Seen(int chain, String hash, long position) {
    }

    /** Checks the lines of an export against the pinned checkpoint key. */
    public static Result verify(List<String> lines, ECKey key) {
        boolean full = true;
        long sinceId = 0;
        Map<Long, Seen> seen = new HashMap<>();
        String[] prev = new String[AuditLog.CHAINS];
        long[] position = new long[AuditLog.CHAINS];
        long[] firstId = new long[AuditLog.CHAINS];
        long[] lastId = new long[AuditLog.CHAINS];
        long entries = 0;
        List<Checkpoint> checkpoints = new ArrayList<>();
        List<RestoreStatement> restores = new ArrayList<>();
        int number = 0;
        for (String text : lines) {
            number++;
            if (text.isBlank()) {
                continue;
            }
            JsonNode line;
            try {
                line = AuditCheckpoints.JSON.readTree(text);
            } catch (RuntimeException e) {
                return invalid("line " + number + " is not JSON", entries, checkpoints.size());
            }
            switch (line.path("type").asString("")) {
                case "export" -> {
                    sinceId = line.path("sinceId").asLong(0);
                    full = sinceId == 0 && line.path("sinceTime").isNull();
                }
                case "entry" -> {
                    long id = line.path("id").asLong();
                    int chain = line.path("chain").asInt(-1);
                    if (chain < 0 || chain >= AuditLog.CHAINS || id <= lastId[chain]) {
                        return invalid("entry " + id + " (line " + number + ") is out of order or names no chain", entries, checkpoints.size());
                    }
                    String prevHash = line.path("prevHash").asString("");
                    if (prev[chain] == null) {
                        firstId[chain] = id;
                        if (full && !prevHash.equals(ChainHashes.GENESIS)) {
                            return invalid("entry " + id + " is the first of chain " + chain + " but does not start it", entries, checkpoints.size());
                        }
                    } else if (!prevHash.equals(prev[chain])) {
                        return invalid("entry " + id + " does not link to the entry before it in chain " + chain, entries, checkpoints.size());
                    }
                    int scheme = line.path("scheme").asInt();
                    String hash;
                    try {
                        hash = ChainHashes.hash(scheme, chain, prevHash, Instant.parse(line.path("occurredAt").asString()),
                                line.path("actor").asString(""), line.path("action").asString(""), line.path("subjectType").asString(""),
                                line.path("subjectId").asString(""), line.path("details").asString(""));
                    } catch (RuntimeException e) {
                        return invalid("entry " + id + " has no valid time", entries, checkpoints.size());
                    }
                    if ((scheme != ChainHashes.LEGACY && scheme != ChainHashes.KEYED) || !hash.equals(line.path("hash").asString(""))) {
                        return invalid("entry " + id + " does not match its hash", entries, checkpoints.size());
                    }
                    prev[chain] = hash;
                    lastId[chain] = id;
                    position[chain]++;
                    seen.put(id, new Seen(chain, hash, position[chain]));
                    entries++;
                }
                case "checkpoint" -> {
                    Optional<Checkpoint> checkpoint = AuditCheckpoints.parse(text, key, number);
                    if (checkpoint.isEmpty()) {
                        return invalid("the checkpoint on line " + number + " does not verify under the pinned key", entries, checkpoints.size());
                    }
                    checkpoints.add(checkpoint.get());
                }
                case "restore" -> {
                    Optional<RestoreStatement> restore = AuditCheckpoints.parseRestore(text, key, number);
                    if (restore.isEmpty()) {
                        return invalid("the restore statement on line " + number + " does not verify under the pinned key", entries, checkpoints.size());
                    }
                    restores.add(restore.get());
                }
                default -> {
                    return invalid("line " + number + " is of no known type", entries, checkpoints.size());
                }
            }
        }
        RestoredHistory history = new RestoredHistory(restores);
        Optional<String> replayed = history.replayed();
        if (replayed.isPresent()) {
            return invalid(replayed.get(), entries, checkpoints.size());
        }
        List<Checkpoint> signed = new ArrayList<>(checkpoints);
        // A restore statement's heads are signed positions too: checked the same way, as a checkpoint on its line.
        restores.forEach(r -> signed.add(new Checkpoint(r.at(), r.heads(), r.line())));
        long[] anchoredTo = new long[AuditLog.CHAINS];
        for (Checkpoint checkpoint : signed) {
            for (Checkpoint.Head head : checkpoint.heads()) {
                int c = head.chain();
                if (c < 0 || c >= AuditLog.CHAINS || head.entries() == 0 || !history.current(checkpoint.line(), head)) {
                    // Superseded: named beyond the heads a later restore went back to (decision 69).
                    continue;
                }
                boolean before = full ? false : sinceId > 0 ? head.lastId() <= sinceId : firstId[c] == 0 || head.lastId() < firstId[c];
                if (before) {
                    // Before the exported range.
                    continue;
                }
                Seen entry = seen.get(head.lastId());
                if (entry == null || entry.chain() != c || !entry.hash().equals(head.lastHash())
                        || (full && entry.position() != head.entries())) {
                    return invalid("entry " + head.lastId() + " of chain " + c + ", named by the checkpoint of " + checkpoint.at()
                            + ", is missing or different", entries, checkpoints.size());
                }
                anchoredTo[c] = Math.max(anchoredTo[c], head.lastId());
            }
        }
        long unanchored = seen.entrySet().stream().filter(e -> e.getKey() > anchoredTo[e.getValue().chain()]).count();
        return new Result(true, null, entries, checkpoints.size(), unanchored, restores.size());
    }

    private static Result invalid(String problem, long entries, int checkpoints) {
        return new Result(false, problem, entries, checkpoints, 0, 0);
    }
}
