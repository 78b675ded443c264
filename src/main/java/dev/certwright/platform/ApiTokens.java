package dev.certwright.platform;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * API bearer tokens. A token is {@code cw_} and 32 random bytes in base64url; only its SHA-256 is stored (a
 * high-entropy secret needs no slow hash), so a token is shown once, when it is made, and never again.
 */
@Component
public class ApiTokens {

    private final JdbcClient jdbc;
    private final Clock clock;
    private final SecureRandom random;

    public ApiTokens(JdbcClient jdbc, Clock clock, SecureRandom random) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.random = random;
    }

    /**
     * A caller's identity: its name and role, and for a service the managed certificates it may read (empty for other
     * tokens). {@code certificate} is true for a service that authenticated with its own managed certificate over mTLS
     * rather than with a token; only such a service may also renew its slot.
     */
    public record ApiPrincipal(long id, String name, String role, java.util.List<String> scope, boolean certificate) {

        public ApiPrincipal {
            scope = scope == null ? java.util.List.of() : java.util.List.copyOf(scope);
        }

        /** The actor recorded in the audit log: {@code token:<name>}, or {@code certificate:<slot>/<serial>}. */
        public String actor() {
            return (certificate ? "certificate:" : "token:") + name;
        }
    }

    /** The principal for a presented token, if it is known, unexpired and not revoked. */
    public Optional<ApiPrincipal> authenticate(String token) {
        if (token == null || token.length() > 512) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT id, name, role, scope FROM api_token WHERE token_hash = :hash AND revoked_at IS NULL "
                        + "AND (expires_at IS NULL OR expires_at > :now)")
                .param("hash", hash(token))
                .param("now", Timestamps.of(clock.instant()))
                .query((rs, i) -> new ApiPrincipal(rs.getLong("id"), rs.getString("name"), rs.getString("role"), lines(rs.getString("scope")), false))
                .optional();
    }

    /** Makes a new random token and returns its value; the caller shows it once. */
    @Transactional
    public String create(String name, String role, Instant expiresAt) {
        return create(name, role, expiresAt, null);
    }

    /** Makes a new random token limited to a scope (a service token's managed certificates) and returns its value. */
    @Transactional
    public String create(String name, String role, Instant expiresAt, java.util.List<String> scope) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = "cw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        store(name, role, token, expiresAt);
        if (scope != null) {
            jdbc.sql("UPDATE api_token SET scope = :scope WHERE name = :name").param("scope", String.join("\n", scope)).param("name", name).update();
        }
        return token;
    }

    /** Stores a token whose value is given (the admin token from the environment). */
    @Transactional
    public void store(String name, String role, String token, Instant expiresAt) {
        jdbc.sql("INSERT INTO api_token (name, token_hash, role, created_at, expires_at) VALUES (:name, :hash, :role, :now, :expires)")
                .param("name", name).param("hash", hash(token)).param("role", role)
                .param("now", Timestamps.of(clock.instant())).param("expires", Timestamps.of(expiresAt))
                .update();
    }

    /** True when a live token with this name exists. */
    public boolean exists(String name) {
        return jdbc.sql("SELECT COUNT(*) FROM api_token WHERE name = :name AND revoked_at IS NULL").param("name", name)
                .query(Long.class).single() > 0;
    }

    /** Points the named token at a new value (the environment's admin token changed). Returns whether it changed. */
    @Transactional
    public boolean replaceValue(String name, String token) {
        String hash = hash(token);
        return jdbc.sql("UPDATE api_token SET token_hash = :hash WHERE name = :name AND revoked_at IS NULL AND token_hash <> :hash")
                .param("hash", hash).param("name", name).update() > 0;
    }

    /** A token as listed: never its value. */
    public record TokenInfo(String name, String role, Instant createdAt, Instant expiresAt, Instant revokedAt, java.util.List<String> scope) {
    }

    /** All tokens, newest first. */
    public java.util.List<TokenInfo> list() {
        return jdbc.sql("SELECT name, role, created_at, expires_at, revoked_at, scope FROM api_token ORDER BY id DESC")
                .query((rs, i) -> new TokenInfo(rs.getString("name"), rs.getString("role"), Timestamps.read(rs, "created_at"),
                        Timestamps.read(rs, "expires_at"), Timestamps.read(rs, "revoked_at"), lines(rs.getString("scope"))))
                .list();
    }

    private static java.util.List<String> lines(String text) {
        return text == null || text.isEmpty() ? java.util.List.of() : java.util.List.of(text.split("\n"));
    }

    /** Revokes a live token; returns whether one was revoked. */
    @Transactional
    public boolean revoke(String name) {
        return jdbc.sql("UPDATE api_token SET revoked_at = :now WHERE name = :name AND revoked_at IS NULL")
                .param("now", Timestamps.of(clock.instant())).param("name", name).update() > 0;
    }

    /** Revokes a live token of the given role only; returns whether one was revoked. */
    @Transactional
    public boolean revoke(String name, String role) {
        return jdbc.sql("UPDATE api_token SET revoked_at = :now WHERE name = :name AND role = :role AND revoked_at IS NULL")
                .param("now", Timestamps.of(clock.instant())).param("name", name).param("role", role).update() > 0;
    }

    /** True when a token with this name was ever made (names are never reused). */
    public boolean nameTaken(String name) {
        return jdbc.sql("SELECT COUNT(*) FROM api_token WHERE name = :name").param("name", name).query(Long.class).single() > 0;
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
