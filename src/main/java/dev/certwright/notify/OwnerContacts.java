package dev.certwright.notify;

import java.net.URI;
import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

import dev.certwright.audit.AuditLog;
import dev.certwright.notify.internal.NotifyProperties;
import dev.certwright.notify.internal.WebhookAddresses;

/** Per-owner contacts: email addresses and webhook URLs. */
@Component
public class OwnerContacts {

    /** The contact kind of an email address, as stored in {@code owner_contact.kind}. */
    public static final String EMAIL = "email";
    /** The contact kind of a webhook URL, as stored in {@code owner_contact.kind}. */
    public static final String WEBHOOK = "webhook";
    private static final java.util.regex.Pattern ADDRESS = java.util.regex.Pattern.compile("[^@\\s<>\"]{1,64}@[A-Za-z0-9.-]{1,253}");

    private final JdbcClient jdbc;
    private final NotifyProperties properties;
    private final WebhookAddresses addresses;
    private final AuditLog audit;

    OwnerContacts(JdbcClient jdbc, NotifyProperties properties, WebhookAddresses addresses, AuditLog audit) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.addresses = addresses;
        this.audit = audit;
    }

    /** An owner's contacts. */
    public record Contacts(String owner, List<String> emails, List<String> webhooks) {

        /**
         * The contacts as a reader without the right to change them sees them: each webhook without its query, fragment
         * and user info, where secrets (tokens, keys) often travel.
         */
        public Contacts redacted() {
            return new Contacts(owner, emails, webhooks.stream().map(OwnerContacts::withoutSecrets).toList());
        }
    }

    /** A webhook URL cut to scheme, host, port and path. */
    static String withoutSecrets(String hook) {
        try {
            URI uri = URI.create(hook);
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (IllegalArgumentException | java.net.URISyntaxException e) {
            return "(unreadable URL)";
        }
    }

    public Contacts get(String owner) {
        List<String[]> rows = jdbc.sql("SELECT kind, target FROM owner_contact WHERE owner = :owner ORDER BY kind, target").param("owner", owner)
                .query((rs, i) -> new String[] {rs.getString("kind"), rs.getString("target")}).list();
        return new Contacts(owner, rows.stream().filter(r -> EMAIL.equals(r[0])).map(r -> r[1]).toList(),
                rows.stream().filter(r -> WEBHOOK.equals(r[0])).map(r -> r[1]).toList());
    }

    /**
     * Replaces an owner's contacts. Refuses (IllegalArgumentException, with the reason) an address that is not one, a
     * webhook that is not an absolute http(s) URL or whose host resolves to an address webhooks may not reach
     * ({@link WebhookAddresses}: loopback, link-local, private, … unless {@code certwright.notify.allowed-hosts} lists
     * it), and any webhook while no signing secret is configured. Audited in the same transaction.
     */
    @Transactional
    public Contacts replace(String owner, List<String> emails, List<String> webhooks, String actor) {
        for (String email : emails) {
            if (!ADDRESS.matcher(email).matches()) {
                throw new IllegalArgumentException("'" + email + "' is not an email address");
            }
        }
        for (String hook : webhooks) {
            URI uri;
            try {
                uri = URI.create(hook);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("'" + hook + "' is not a URL");
            }
            if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null || hook.length() > 2048) {
                throw new IllegalArgumentException("'" + hook + "' is not an absolute http or https URL");
            }
            if (!properties.signingConfigured()) {
                throw new IllegalArgumentException("webhooks need certwright.notify.webhook-secret to be set: every webhook body is signed");
            }
            // Checked after DNS resolution, here for a clear answer and again when sending (the name may change).
            addresses.refusal(uri).ifPresent(reason -> {
                throw new IllegalArgumentException(reason);
            });
        }
        jdbc.sql("DELETE FROM owner_contact WHERE owner = :owner").param("owner", owner).update();
        for (String email : emails.stream().distinct().toList()) {
            jdbc.sql("INSERT INTO owner_contact (owner, kind, target) VALUES (:o, 'email', :t)").param("o", owner).param("t", email).update();
        }
        for (String hook : webhooks.stream().distinct().toList()) {
            jdbc.sql("INSERT INTO owner_contact (owner, kind, target) VALUES (:o, 'webhook', :t)").param("o", owner).param("t", hook).update();
        }
        Contacts replaced = get(owner);
        // Audited in this transaction, without the webhooks' queries: the audit log is read by more people than may see secrets.
        audit.append(actor, "owner-contacts.replaced", "owner", owner, "emails=" + replaced.emails() + " webhooks=" + replaced.redacted().webhooks());
        return replaced;
    }
}
