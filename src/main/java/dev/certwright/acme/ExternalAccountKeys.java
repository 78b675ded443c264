package dev.certwright.acme;

import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.certwright.audit.AuditLog;
import dev.certwright.keys.DerivedSecrets;
import dev.certwright.platform.Timestamps;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.policy.NamePolicy;
import dev.certwright.policy.PolicyException;
import dev.certwright.policy.Profile;

/**
 * External account binding keys (RFC 8555 §7.3.4), created by an admin. The HMAC key is shown once at creation and
 * never stored: it is derived from the CA's key-encryption key and the kid, so every node can check a binding. A key
 * binds one account, which then belongs to the key's owner, and may limit that account's orders to name patterns and
 * profiles.
 */
@Service
public class ExternalAccountKeys {

    /** A binding key, without its secret. */
    public record EabKey(String kid, String owner, List<String> dnsNames, List<String> profiles, Long accountId, String createdBy,
            Instant createdAt, Instant revokedAt) {

        /** Whether this key's restrictions admit a DNS name. No restriction admits all. */
        public boolean allowsDnsName(String name) {
            return dnsNames.isEmpty() || new NamePolicy(dnsNames, List.of(), Set.of(), 0, 0).allowsDnsName(name);
        }

        public boolean allowsProfile(String profile) {
            return profiles.isEmpty() || profiles.contains(profile);
        }
    }

    /** A new key and its HMAC secret (base64url), which is never shown again. */
    public record Created(EabKey key, String hmacKey) {
    }

    private final JdbcClient jdbc;
    private final DerivedSecrets secrets;
    private final IssuancePolicy policy;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final SecureRandom random;

    ExternalAccountKeys(JdbcClient jdbc, DerivedSecrets secrets, IssuancePolicy policy, AuditLog audit, TransactionTemplate transactions,
            Clock clock, SecureRandom random) {
        this.jdbc = jdbc;
        this.secrets = secrets;
        this.policy = policy;
        this.audit = audit;
        this.transactions = transactions;
        this.clock = clock;
        this.random = random;
    }

    public Created create(String owner, List<String> dnsNames, List<String> profiles, String actor) {
        List<String> patterns = new ArrayList<>();
        for (String pattern : dnsNames == null ? List.<String>of() : dnsNames) {
            boolean wildcard = pattern.startsWith("*.");
            patterns.add((wildcard ? "*." : "") + NamePolicy.normaliseDnsName(wildcard ? pattern.substring(2) : pattern));
        }
        List<String> allowed = profiles == null ? List.of() : List.copyOf(profiles);
        for (String name : allowed) {
            Profile profile = policy.profile(name);
            if (!profile.acme()) {
                throw new PolicyException(PolicyException.Type.UNKNOWN_PROFILE, "profile '" + name + "' is not offered over ACME");
            }
        }
        byte[] id = new byte[16];
        random.nextBytes(id);
        String kid = "eab-" + Base64.getUrlEncoder().withoutPadding().encodeToString(id);
        Instant now = clock.instant();
        transactions.executeWithoutResult(tx -> {
            jdbc.sql("INSERT INTO acme_eab_key (kid, owner, dns_names, profiles, created_by, created_at) VALUES (:kid, :owner, :dns, :profiles, :by, :now)")
                    .param("kid", kid).param("owner", owner).param("dns", String.join("\n", patterns)).param("profiles", String.join("\n", allowed))
                    .param("by", actor).param("now", Timestamps.of(now)).update();
            audit.append(actor, "acme.eab-key.created", "acme-eab-key", kid, "owner=" + owner + " dnsNames=" + patterns + " profiles=" + allowed);
        });
        return new Created(find(kid).orElseThrow(), Base64.getUrlEncoder().withoutPadding().encodeToString(hmacKey(kid)));
    }

    public List<EabKey> list() {
        return jdbc.sql("SELECT * FROM acme_eab_key ORDER BY created_at DESC").query((rs, i) -> read(rs)).list();
    }

    public Optional<EabKey> find(String kid) {
        return jdbc.sql("SELECT * FROM acme_eab_key WHERE kid = :kid").param("kid", kid).query((rs, i) -> read(rs)).optional();
    }

    /** Revokes a key: it binds no new account, and the account it bound may order no more. False if there was none. */
    public boolean revoke(String kid, String actor) {
        Boolean done = transactions.execute(tx -> {
            int updated = jdbc.sql("UPDATE acme_eab_key SET revoked_at = :now WHERE kid = :kid AND revoked_at IS NULL").param("kid", kid)
                    .param("now", Timestamps.of(clock.instant())).update();
            if (updated == 1) {
                audit.append(actor, "acme.eab-key.revoked", "acme-eab-key", kid, "");
            }
            return updated == 1;
        });
        return Boolean.TRUE.equals(done);
    }

    /** The key's HMAC secret, derived again (RFC 8555 §7.3.4 MAC key). */
    public byte[] hmacKey(String kid) {
        return secrets.acmeEabKey(kid);
    }

    /** Binds the key to an account; false when it is unknown, revoked, or bound already. Call inside the account's transaction. */
    public boolean bind(String kid, long accountId) {
        return jdbc.sql("UPDATE acme_eab_key SET account_id = :a WHERE kid = :kid AND account_id IS NULL AND revoked_at IS NULL")
                .param("a", accountId).param("kid", kid).update() == 1;
    }

    private static EabKey read(ResultSet rs) throws SQLException {
        Object account = rs.getObject("account_id");
        return new EabKey(rs.getString("kid"), rs.getString("owner"), lines(rs.getString("dns_names")), lines(rs.getString("profiles")),
                account == null ? null : ((Number) account).longValue(), rs.getString("created_by"), Timestamps.read(rs, "created_at"),
                Timestamps.read(rs, "revoked_at"));
    }

    private static List<String> lines(String text) {
        return text == null || text.isEmpty() ? List.of() : List.of(text.split("\n"));
    }
}
