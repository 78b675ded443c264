package dev.certwright.acme;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.certwright.platform.Timestamps;

/** ACME accounts as operators see them (the dashboard): read only, paginated. */
@Component
public class AcmeAccounts {

    private final JdbcClient jdbc;

    AcmeAccounts(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** An account with its contacts, owner, external account key and how many orders it placed. */
    public record AccountSummary(long id, String status, List<String> contacts, String owner, String eabKid, Instant createdAt, long orders,
            long certificates) {
    }

    private static final String SELECT = "SELECT a.id, a.status, a.contact, a.owner, a.eab_kid, a.created_at, "
            + "(SELECT COUNT(*) FROM acme_order o WHERE o.account_id = a.id) AS orders, "
            + "(SELECT COUNT(*) FROM acme_order o WHERE o.account_id = a.id AND o.certificate_id IS NOT NULL) AS certificates FROM acme_account a";

    public List<AccountSummary> list(int page, int size) {
        return jdbc.sql(SELECT + " ORDER BY a.id DESC LIMIT :limit OFFSET :offset").param("limit", size).param("offset", (long) page * size)
                .query((rs, i) -> read(rs)).list();
    }

    public long count() {
        return jdbc.sql("SELECT COUNT(*) FROM acme_account").query(Long.class).single();
    }

    public Optional<AccountSummary> find(long id) {
        return jdbc.sql(SELECT + " WHERE a.id = :id").param("id", id).query((rs, i) -> read(rs)).optional();
    }

    /** The account whose order produced this certificate, if ACME issued it. */
    public Optional<Long> accountOf(long certificateId) {
        return jdbc.sql("SELECT account_id FROM acme_order WHERE certificate_id = :id").param("id", certificateId).query(Long.class).optional();
    }

    /** The certificates an account's orders produced, newest first. */
    public List<Long> certificatesOf(long accountId, int limit) {
        return jdbc.sql("SELECT certificate_id FROM acme_order WHERE account_id = :id AND certificate_id IS NOT NULL ORDER BY id DESC LIMIT :limit")
                .param("id", accountId).param("limit", limit).query(Long.class).list();
    }

    private static AccountSummary read(java.sql.ResultSet rs) throws java.sql.SQLException {
        String contact = rs.getString("contact");
        return new AccountSummary(rs.getLong("id"), rs.getString("status"), contact == null || contact.isEmpty() ? List.of() : List.of(contact.split("\n")),
                rs.getString("owner"), rs.getString("eab_kid"), Timestamps.read(rs, "created_at"), rs.getLong("orders"), rs.getLong("certificates"));
    }
}
