package dev.certwright.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.certwright.support.MigratedH2;

/** Role bindings (decision 77): the highest role of a user's own and its groups' bindings, and what a binding may say. */
class RoleBindingsTest {

    RoleBindings bindings;

    @BeforeEach
    void setUp() {
        bindings = new RoleBindings(JdbcClient.create(MigratedH2.create("role-bindings")), Clock.systemUTC());
    }

    @Test
    void theHighestRoleOfTheUsersAndItsGroupsBindingsWins() {
        bindings.create(RoleBindings.SubjectKind.USER, "alice", Roles.VIEWER, List.of("*"), "admin");
        bindings.create(RoleBindings.SubjectKind.GROUP, "pki-admins", Roles.ADMIN, List.of("*"), "admin");
        bindings.create(RoleBindings.SubjectKind.GROUP, "ops", Roles.OPERATOR, List.of("*"), "admin");
        assertThat(RoleBindings.highest(bindings.of("alice", List.of()))).contains(Roles.VIEWER);
        assertThat(RoleBindings.highest(bindings.of("alice", List.of("ops")))).contains(Roles.OPERATOR);
        assertThat(RoleBindings.highest(bindings.of("alice", List.of("ops", "pki-admins")))).contains(Roles.ADMIN);
        assertThat(RoleBindings.highest(bindings.of("bob", List.of("guests")))).isEmpty();
        assertThat(RoleBindings.highest(bindings.of("pki-admins", List.of()))).as("a group's name is not a user's").isEmpty();
    }

    @Test
    void theSameBindingTwiceIsOneAndADeletedOneGivesNothing() {
        var made = bindings.create(RoleBindings.SubjectKind.USER, "carol", Roles.OPERATOR, List.of("*"), "admin");
        assertThat(made).isPresent();
        assertThat(bindings.create(RoleBindings.SubjectKind.USER, "carol", Roles.OPERATOR, List.of("*"), "admin")).isEmpty();
        assertThat(bindings.delete(made.get().id())).isTrue();
        assertThat(RoleBindings.highest(bindings.of("carol", List.of()))).isEmpty();
        assertThat(bindings.delete(made.get().id())).isFalse();
    }

    @Test
    void aBindingNamesOneRoleOfThreeAndEveryOwnerUntilScopesAreEnforced() {
        assertThat(RoleBindings.problems(RoleBindings.SubjectKind.USER, "alice", Roles.ADMIN, List.of("*"))).isEmpty();
        assertThat(RoleBindings.problems(RoleBindings.SubjectKind.USER, "alice", Roles.SERVICE, List.of("*"))).isNotEmpty();
        assertThat(RoleBindings.problems(null, "alice", Roles.ADMIN, List.of("*"))).isNotEmpty();
        assertThat(RoleBindings.problems(RoleBindings.SubjectKind.GROUP, " ", Roles.ADMIN, List.of("*"))).isNotEmpty();
        assertThat(RoleBindings.problems(RoleBindings.SubjectKind.GROUP, "a".repeat(256), Roles.ADMIN, List.of("*"))).isNotEmpty();
        assertThat(RoleBindings.problems(RoleBindings.SubjectKind.GROUP, "web", Roles.OPERATOR, List.of("team-web")))
                .singleElement().asString().contains("not enforced yet");
        assertThat(RoleBindings.problems(RoleBindings.SubjectKind.GROUP, "web", Roles.OPERATOR, List.of())).isNotEmpty();
    }
}
