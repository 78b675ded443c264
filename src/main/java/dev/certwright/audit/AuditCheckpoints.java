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
 */
@Component
public class AuditCheckpoints {

    static final String TYPE = "certwright-audit-checkpoint+json";
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
        try {
            JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.ES256).type(new JOSEObjectType(TYPE)).keyID(signing.get().getKeyID()).build(),
                    new Payload(JSON.writeValueAsString(payload)));
            jws.sign(new ECDSASigner(signing.get()));
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("type", "checkpoint");
            line.put("at", at.toString());
            line.put("kid", signing.get().getKeyID());
            line.put("jws", jws.serialize());
            append(JSON.writeValueAsString(line));
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign an audit checkpoint", e);
        }
        lastPublished = List.copyOf(heads);
        log.info("published an audit checkpoint of {} chains to {}", heads.size(), sink);
        return Optional.of(new Checkpoint(at, heads, 0));
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

    /** What reading the sink found: the checkpoints whose signature verifies, and the lines that do not. */
    public record Readout(List<Checkpoint> checkpoints, List<Integer> badLines) {
    }

    /** Reads every checkpoint in the sink, checking each signature against this CA's checkpoint key. */
    public Readout read() {
        ECKey verifying = key().orElseThrow(() -> new IllegalStateException("the CA is not open: no checkpoint key"));
        List<Checkpoint> good = new ArrayList<>();
        List<Integer> bad = new ArrayList<>();
        if (!Files.isRegularFile(sink)) {
            return new Readout(good, bad);
        }
        try (var lines = Files.lines(sink, StandardCharsets.UTF_8)) {
            int[] number = {0};
            lines.forEach(text -> {
                number[0]++;
                if (text.isBlank()) {
                    return;
                }
                Optional<Checkpoint> checkpoint = parse(text, verifying, number[0]);
                if (checkpoint.isPresent()) {
                    good.add(checkpoint.get());
                } else {
                    bad.add(number[0]);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new IllegalStateException("cannot read the audit checkpoints in " + sink, e);
        }
        return new Readout(good, bad);
    }

    /** A checkpoint line, if it is one and its signature verifies under {@code verifying}. Shared with the offline verifier. */
    static Optional<Checkpoint> parse(String text, ECKey verifying, int line) {
        try {
            JsonNode node = JSON.readTree(text);
            JWSObject jws = JWSObject.parse(node.path("jws").asString(""));
            // RFC 7515 §4.1.1: only the algorithm we sign with; RFC 7515 §4.1.9: and only checkpoints.
            if (!JWSAlgorithm.ES256.equals(jws.getHeader().getAlgorithm()) || jws.getHeader().getType() == null
                    || !TYPE.equals(jws.getHeader().getType().getType()) || !jws.verify(new ECDSAVerifier(verifying.toECPublicKey()))) {
                return Optional.empty();
            }
            JsonNode payload = JSON.readTree(jws.getPayload().toString());
            List<Checkpoint.Head> heads = new ArrayList<>();
            for (JsonNode head : payload.path("heads")) {
                heads.add(new Checkpoint.Head(head.path("chain").asInt(), head.path("lastId").asLong(), head.path("entries").asLong(),
                        head.path("lastHash").asString("")));
            }
            return Optional.of(new Checkpoint(Instant.parse(payload.path("at").asString()), heads, line));
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
