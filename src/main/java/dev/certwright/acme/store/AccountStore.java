package dev.certwright.acme.store;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;

import dev.certwright.acme.domain.Account;
import dev.certwright.acme.domain.AccountStatus;
import dev.certwright.platform.Timestamps;

/** ACME accounts, found by id (the kid URL) or by key thumbprint. */
@Component
public class AccountStore {

    private final JdbcClient jdbc;
    private final Clock clock;

    AccountStore(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /**
     * Creates the account; empty if another account already has this key (a concurrent newAccount). With no owner, the
     * account owns its certificates: {@code acme-account-<id>}.
     */
    public Optional<Account> create(String thumbprint, String jwk, List<String> contact, String owner, String eabKid) {
        Instant now = clock.instant();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        try {
            jdbc.sql("INSERT INTO acme_account (thumbprint, jwk, status, contact, owner, eab_kid, created_at, updated_at) "
                            + "VALUES (:t, :jwk, 'valid', :contact, :owner, :eab, :now, :now)")
                    .param("t", thumbprint).param("jwk", jwk).param("contact", String.join("\n", contact)).param("owner", owner == null ? "" : owner)
                    .param("eab", eabKid).param("now", Timestamps.of(now)).update(keys, "id");
        } catch (DuplicateKeyException e) {
            return Optional.empty();
        }
        long id = keys.getKey().longValue();
        if (owner == null) {
            // Certificates of an account without an external binding belong to the account itself.
            jdbc.sql("UPDATE acme_account SET owner = :o WHERE id = :id").param("o", "acme-account-" + id).param("id", id).update();
        }
        return find(id);
    }

    public Optional<Account> find(long id) {
        return jdbc.sql("SELECT * FROM acme_account WHERE id = :id").param("id", id).query((rs, i) -> read(rs)).optional();
    }

    public Optional<Account> findByThumbprint(String thumbprint) {
        return jdbc.sql("SELECT * FROM acme_account WHERE thumbprint = :t").param("t", thumbprint).query((rs, i) -> read(rs)).optional();
    }

    public void updateContact(long id, List<String> contact) {
        jdbc.sql("UPDATE acme_account SET contact = :c, updated_at = :now WHERE id = :id").param("c", String.join("\n", contact))
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
    }

    public void deactivate(long id) {
        jdbc.sql("UPDATE acme_account SET status = 'deactivated', updated_at = :now WHERE id = :id")
                .param("now", Timestamps.of(clock.instant())).param("id", id).update();
    }

    /** RFC 8555 §7.3.5: the new key; false if another account holds it already. */
    public boolean changeKey(long id, String thumbprint, String jwk) {
        try {
            return jdbc.sql("UPDATE acme_account SET thumbprint = :t, jwk = :jwk, updated_at = :now WHERE id = :id")
                    .param("t", thumbprint).param("jwk", jwk).param("now", Timestamps.of(clock.instant())).param("id", id).update() == 1;
        } catch (DuplicateKeyException e) {
            return false;
        }
    }

    private static Account read(ResultSet rs) throws SQLException {
        String contact = rs.getString("contact");
        return new Account(rs.getLong("id"), rs.getString("thumbprint"), rs.getString("jwk"), AccountStatus.fromText(rs.getString("status")),
                contact == null || contact.isEmpty() ? List.of() : List.of(contact.split("\n")), rs.getString("owner"),
                rs.getString("eab_kid"), Timestamps.read(rs, "created_at"));
    }
}
