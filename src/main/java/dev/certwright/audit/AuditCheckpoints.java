package dev.certwright.audit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;

import dev.certwright.platform.DataDirectory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import dev.certwright.audit.internal.AuditProperties;

/**
 * Signed checkpoints of the audit chains: the heads of every keyed chain, signed with ES256 (a JWS, RFC 7515) under a key
 * derived from the CA's key-encryption key, appended as one JSON line each to the checkpoint sink. A copy of the sink
 * outside the database proves a rewrite of the database (or its replacement by an older backup): a checkpointed entry
 * that is no longer in its chain, with the same hash at the same position, fails {@link AuditLog#verify()}.
 * <p>
 * A legitimate restore from a backup is such a replacement too. The restored node's first start appends a signed
 * {@link RestoreStatement} (decision 69), and the heads that checkpoints before it name beyond the backup's are then
 * superseded rather than missing ({@link RestoredHistory}); only a node holding the CA can sign one.
 */
@Component
public class AuditCheckpoints {

    static final String TYPE = "certwright-audit-checkpoint+json";
    /** The JWS type of a restore statement (decision 69): another type, so neither can pass for the other. */
    static final String RESTORE_TYPE = "certwright-audit-restore+json";
    static final String FILE = "checkpoints.jsonl";
    private static final Logger log = LoggerFactory.getLogger(AuditCheckpoints.class);
    static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcClient jdbc;
    private final AuditKeys keys;
    private final Clock clock;
    private final Path sink;
    private volatile ECKey key;
    private List<Checkpoint.Head> lastPublished = List.of();

    @org.springframework.beans.factory.annotation.Autowired
    AuditCheckpoints(JdbcClient jdbc, AuditKeys keys, Clock clock, DataDirectory dataDirectory, AuditProperties properties) {
        this(jdbc, keys, clock, sink(dataDirectory.root(), properties.checkpointSink()));
    }

    AuditCheckpoints(JdbcClient jdbc, AuditKeys keys, Clock clock, Path sink) {
        this.jdbc = jdbc;
        this.keys = keys;
        this.clock = clock;
        this.sink = sink;
    }

    static Path sink(Path dataDir, Path configured) {
        if (configured == null) {
            return dataDir.resolve("audit").resolve(FILE);
        }
        Path path = configured.toAbsolutePath().normalize();
        return Files.isDirectory(path) || configured.toString().endsWith("/") ? path.resolve(FILE) : path;
    }

    /** The file checkpoints are appended to. */
    public Path sink() {
        return sink;
    }

    /** The public half of the checkpoint key (a JWK, RFC 7517), for verifiers to pin; empty while the CA is not open. */
    public Optional<Map<String, Object>> publicKey() {
        return key().map(k -> k.toPublicJWK().toJSONObject());
    }

    Optional<ECKey> key() {
        ECKey current = key;
        if (current == null) {
            Optional<byte[]> seed = keys.checkpointSeed();
            if (seed.isEmpty()) {
                return Optional.empty();
            }
            current = CheckpointKey.derive(seed.get());
            key = current;
        }
        return Optional.of(current);
    }

    /**
     * Publishes a checkpoint of the keyed chains' heads, unless they are what this node published last. Heads whose MAC
     * does not verify are left out (a checkpoint must not bless a rewrite); verify reports them. Returns the checkpoint
     * written, if any.
     */
    public synchronized Optional<Checkpoint> publish() {
        Optional<ECKey> signing = key();
        Optional<byte[]> chainKey = keys.chainKey();
        if (signing.isEmpty() || chainKey.isEmpty()) {
            return Optional.empty();
        }
        List<Checkpoint.Head> heads = new ArrayList<>();
        jdbc.sql("SELECT chain, last_id, entries, last_hash, keyed_after, mac FROM audit_head WHERE mac IS NOT NULL ORDER BY chain")
                .query(rs -> {
                    Checkpoint.Head head = new Checkpoint.Head(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getString(4).trim());
                    String mac = ChainHashes.headMac(chainKey.get(), head.chain(), head.lastId(), head.lastHash(), head.entries(), rs.getLong(5));
                    if (ChainHashes.same(mac, rs.getString(6).trim())) {
                        heads.add(head);
                    } else {
                        log.error("audit chain {}: its head does not verify; left out of the checkpoint", head.chain());
                    }
                });
        if (heads.isEmpty() || heads.equals(lastPublished)) {
            return Optional.empty();
        }
        Instant at = clock.instant();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "certwright.audit.checkpoint");
        payload.put("at", at.toString());
        payload.put("heads", heads);
        appendSigned(signing.get(), TYPE, "checkpoint", at, payload, Map.of());
        lastPublished = List.copyOf(heads);
        log.info("published an audit checkpoint of {} chains to {}", heads.size(), sink);
        return Optional.of(new Checkpoint(at, heads, 0));
    }

    /**
     * Appends a signed restore statement (decision 69): the database was restored from the backup {@code backupId},
     * taken at {@code backupTakenAt}, and its chains continue from {@code heads}. Published once per restore, by the
     * restored node's first start; nothing is written when the sink already holds a statement for {@code restoreId}
     * (a start that stopped after publishing it), so a restore never gets two. Returns the statement written, if any.
     */
    public synchronized Optional<RestoreStatement> publishRestore(String restoreId, String backupId, Instant backupTakenAt,
            List<Checkpoint.Head> heads) {
        ECKey signing = key().orElseThrow(() -> new IllegalStateException("the CA is not open: no checkpoint key"));
        if (read().restores().stream().anyMatch(r -> r.restoreId().equals(restoreId))) {
            return Optional.empty();
        }
        Instant at = clock.instant();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("type", "certwright.audit.restore");
        payload.put("at", at.toString());
        payload.put("restoreId", restoreId);
        payload.put("backupId", backupId);
        payload.put("backupTakenAt", backupTakenAt.toString());
        payload.put("heads", heads);
        appendSigned(signing, RESTORE_TYPE, "restore", at, payload, Map.of("restoreId", restoreId));
        lastPublished = List.of();
        log.info("published an audit restore statement for backup {} (taken at {}) to {}", backupId, backupTakenAt, sink);
        return Optional.of(new RestoreStatement(at, restoreId, backupId, backupTakenAt, List.copyOf(heads), 0));
    }

    /** Signs {@code payload} as a compact JWS of {@code jwsType} (RFC 7515 §4.1.9) and appends it as one line. */
    private void appendSigned(ECKey signing, String jwsType, String lineType, Instant at, Map<String, Object> payload, Map<String, String> extra) {
        try {
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(jwsType)).keyID(signing.getKeyID()).build(),
                    new Payload(JSON.writeValueAsString(payload)));
            jws.sign(new ECDSASigner(signing));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", lineType);
            line.put("at", at.toString());
            line.putAll(extra);
            line.put("kid", signing.getKeyID());
            line.put("jws", jws.serialize());
            append(JSON.writeValueAsString(line));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an audit " + lineType, e);
        }
    }

    /** Appends one line and forces it to disk, under a file lock (nodes may share a sink). */
    private void append(String line) {
        try {
            Files.createDirectories(sink.getParent());
            try (FileChannel channel = FileChannel.open(sink, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
                    FileLock lock = channel.lock()) {
                ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
                channel.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append an audit checkpoint to " + sink, e);
        }
    }

    /**
     * What reading the sink found: the checkpoints and the restore statements whose signature verifies, each with its
     * line, and the lines that do not verify.
     */
    public record Readout(List<Checkpoint> checkpoints, List<RestoreStatement> restores, List<Integer> badLines) {
    }

    /** Reads every checkpoint and restore statement in the sink, checking each signature against this CA's checkpoint key. */
    public Readout read() {
        ECKey verifying = key().orElseThrow(() -> new IllegalStateException("the CA is not open: no checkpoint key"));
        List<Checkpoint> good = new ArrayList<>();
        List<RestoreStatement> restores = new ArrayList<>();
        List<Integer> bad = new ArrayList<>();
        if (!Files.isRegularFile(sink)) {
            return new Readout(good, restores, bad);
        }
        try (var lines = Files.lines(sink, StandardCharsets.UTF_8)) {
            int[] number = {0};
            lines.forEach(text -> {
                number[0]++;
                if (text.isBlank()) {
                    return;
                }
                if (isRestoreLine(text)) {
                    parseRestore(text, verifying, number[0]).ifPresentOrElse(restores::add, () -> bad.add(number[0]));
                } else {
                    parse(text, verifying, number[0]).ifPresentOrElse(good::add, () -> bad.add(number[0]));
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot read the audit checkpoints in " + sink, e);
        }
        return new Readout(good, restores, bad);
    }

    /** Whether a sink line says it is a restore statement (its signature and JWS type are checked by {@link #parseRestore}). */
    static boolean isRestoreLine(String text) {
        try {
            return "restore".equals(JSON.readTree(text).path("type").asString(""));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** A restore statement line, if it is one and its signature verifies under {@code verifying}. Shared with the offline verifier. */
    static Optional<RestoreStatement> parseRestore(String text, ECKey verifying, int line) {
        return verifiedPayload(text, verifying, RESTORE_TYPE).flatMap(payload -> {
            try {
                return Optional.of(new RestoreStatement(Instant.parse(payload.path("at").asString()), payload.path("restoreId").asString(""),
                        payload.path("backupId").asString(""), Instant.parse(payload.path("backupTakenAt").asString()), heads(payload), line))
                        .filter(r -> !r.restoreId().isEmpty());
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    private static List<Checkpoint.Head> heads(JsonNode payload) {
        List<Checkpoint.Head> heads = new ArrayList<>();
        for (JsonNode head : payload.path("heads")) {
            heads.add(new Checkpoint.Head(head.path("chain").asInt(), head.path("lastId").asLong(), head.path("entries").asLong(),
                    head.path("lastHash").asString("")));
        }
        return heads;
    }

    /** A checkpoint line, if it is one and its signature verifies under {@code verifying}. Shared with the offline verifier. */
    static Optional<Checkpoint> parse(String text, ECKey verifying, int line) {
        return verifiedPayload(text, verifying, TYPE).map(payload -> new Checkpoint(Instant.parse(payload.path("at").asString()), heads(payload), line));
    }

    /** The payload of a sink line's JWS, if it is ES256 of the given type and verifies under {@code verifying}. */
    private static Optional<JsonNode> verifiedPayload(String text, ECKey verifying, String type) {
        try {
            JsonNode node = JSON.readTree(text);
            JWSObject jws = JWSObject.parse(node.path("jws").asString(""));
            // RFC 7515 §4.1.1: only the algorithm we sign with; RFC 7515 §4.1.9: and only the type asked for, so that a
            // checkpoint cannot be passed off as a restore statement or the other way round.
            if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm()) || jws.getHeader().getType() == null
                    || !type.equals(jws.getHeader().getType().getType()) || !jws.verify(new ECDSAVerifier(verifying.toECPublicKey()))) {
                return Optional.empty();
            }
            JsonNode payload = JSON.readTree(jws.getPayload().toString());
            // Parsed here, so that a payload without a valid time is a bad line, not an exception later.
            Instant.parse(payload.path("at").asString());
            return Optional.of(payload);
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** The sink's length in bytes now: the export hands on the checkpoints up to here only. */
    public long size() {
        try {
            return Files.isRegularFile(sink) ? Files.size(sink) : 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit checkpoints in " + sink, e);
        }
    }

    /**
     * Hands the lines of the sink within its first {@code limit} bytes, as they are, to {@code consumer} (for the export:
     * checkpoints published before the entries were read, so that every head they name is among the entries).
     */
    public void rawLines(long limit, Consumer<String> consumer) {
        if (!Files.isRegularFile(sink)) {
            return;
        }
        try (var reader = Files.newBufferedReader(sink, StandardCharsets.UTF_8)) {
            long read = 0;
            String line;
            // Checkpoint lines are ASCII (JSON with a compact JWS), so characters are bytes.
            while (read < limit && (line = reader.readLine()) != null) {
                read += line.length() + 1;
                if (read <= limit && !line.isBlank()) {
                    consumer.accept(line);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the audit checkpoints in " + sink, e);
        }
    }
}
