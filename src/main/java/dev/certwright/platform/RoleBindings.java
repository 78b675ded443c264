package dev.certwright.platform;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.support.GeneratedKeyHolder;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Role bindings (decision 77): ADMIN, OPERATOR or VIEWER given to a user or a group the identity provider names, for
 * the owners listed or {@code *} for all. People who sign in through single sign-on (and the provider's tokens on the
 * API) get the highest role their user name and groups are bound to; with none they are refused.
 */
@Component
public class RoleBindings {

    /** Every owner. */
    public static final String ALL_OWNERS = "*";
    static final int MAX_SUBJECT = 255;
    static final int MAX_OWNERS = 50;

    /** Who a binding is for: a user name or a group, as the provider's claims give them. */
    public enum SubjectKind {
        USER, GROUP;

        public String code() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<SubjectKind> of(String code) {
            for (SubjectKind k : values()) {
                if (k.code().equals(code)) {
                    return Optional.of(k);
                }
            }
            return Optional.empty();
        }
    }

    /** One binding. {@code owners} is {@code ["*"]} for every owner. */
    public record Binding(long id, SubjectKind subjectKind, String subject, String role, List<String> owners, String createdBy, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final Clock clock;

    public RoleBindings(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    /** What is wrong with a binding, or an empty list. */
    public static List<String> problems(SubjectKind kind, String subject, String role, List<String> owners) {
        List<String> out = new ArrayList<>();
        if (kind == null) {
            out.add("subjectKind must be 'user' or 'group'");
        }
        if (subject == null || subject.isBlank() || subject.length() > MAX_SUBJECT || subject.chars().anyMatch(Character::isISOControl)) {
            out.add("subject must be 1 to " + MAX_SUBJECT + " characters without control characters");
        }
        if (!Roles.ADMIN.equals(role) && !Roles.OPERATOR.equals(role) && !Roles.VIEWER.equals(role)) {
            out.add("role must be ADMIN, OPERATOR or VIEWER");
        }
        if (owners == null || owners.isEmpty() || owners.size() > MAX_OWNERS) {
            out.add("owners must list 1 to " + MAX_OWNERS + " owners, or be [\"*\"] for every owner");
        } else if (!owners.equals(List.of(ALL_OWNERS))) {
            // Decision 77: scoped roles come with their enforcement on every route; until then a binding to some owners
            // would give the role for all of them, which is refused rather than granted.
            out.add("owners must be [\"*\"]: roles scoped to owners are not enforced yet, and are refused rather than given for every owner");
        } else if (owners.stream().anyMatch(o -> o == null || o.isBlank() || o.length() > 128 || o.chars().anyMatch(c -> Character.isISOControl(c)
                || c == '\n'))) {
            out.add("each owner must be 1 to 128 characters without control characters");
        }
        return out;
    }

    /** Creates a binding; empty when the same one exists already. */
    @Transactional
    public Optional<Binding> create(SubjectKind kind, String subject, String role, List<String> owners, String actor) {
        Instant now = clock.instant();
        GeneratedKeyHolder keys = new GeneratedKeyHolder();
        List<String> sorted = owners.stream().sorted().distinct().toList();
        try {
            jdbc.sql("INSERT INTO role_binding (subject_kind, subject, role, owners, created_by, created_at) VALUES (:k, :s, :r, :o, :by, :now)")
                    .param("k", kind.code()).param("s", subject).param("r", role).param("o", String.join("\n", sorted)).param("by", actor)
                    .param("now", Timestamps.of(now)).update(keys, "id");
        } catch (DuplicateKeyException e) {
            return Optional.empty();
        }
        return find(keys.getKey().longValue());
    }

    public Optional<Binding> find(long id) {
        return jdbc.sql("SELECT * FROM role_binding WHERE id = :id").param("id", id).query(RoleBindings::read).optional();
    }

    public List<Binding> list() {
        return jdbc.sql("SELECT * FROM role_binding ORDER BY subject_kind, subject, role, id").query(RoleBindings::read).list();
    }

    @Transactional
    public boolean delete(long id) {
        return jdbc.sql("DELETE FROM role_binding WHERE id = :id").param("id", id).update() == 1;
    }

    /** The bindings of a user name and its groups, in one read (the dashboard asks on every request). */
    public List<Binding> of(String user, Collection<String> groups) {
        List<String> bounded = groups.stream().limit(500).toList();
        return jdbc.sql("SELECT * FROM role_binding WHERE (subject_kind = 'user' AND subject = :s)"
                        + (bounded.isEmpty() ? "" : " OR (subject_kind = 'group' AND subject IN (:g))"))
                .param("s", user).params(bounded.isEmpty() ? java.util.Map.of() : java.util.Map.of("g", bounded))
                .query(RoleBindings::read).list();
    }

    /** The role a person signed in elsewhere (OIDC, LDAP) has: the highest their name and groups are bound to. */
    public Optional<String> roleOf(String user, Collection<String> groups) {
        return highest(of(user, groups));
    }

    /** The highest role these bindings give for every owner (ADMIN over OPERATOR over VIEWER). */
    public static Optional<String> highest(List<Binding> bindings) {
        for (String role : List.of(Roles.ADMIN, Roles.OPERATOR, Roles.VIEWER)) {
            if (bindings.stream().anyMatch(b -> b.role().equals(role) && b.owners().equals(List.of(ALL_OWNERS)))) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }

    private static Binding read(java.sql.ResultSet rs, int row) throws java.sql.SQLException {
        return new Binding(rs.getLong("id"), SubjectKind.of(rs.getString("subject_kind")).orElseThrow(), rs.getString("subject"), rs.getString("role"),
                List.of(rs.getString("owners").split("\n")), rs.getString("created_by"), Timestamps.read(rs, "created_at"));
    }
}
