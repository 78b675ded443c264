package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.DashboardSession;
import dev.certwright.support.Slapd;
import dev.certwright.support.TestDatabase;

/**
 * The dashboard's sign-in form against Debian's slapd with a directory the test loads (decision 77): a bind as the
 * person, their groups by a search, their role from the role bindings; the local admin still signs in; one without a
 * binding, a wrong password and an injected name are refused alike; a binding removed ends the session.
 */
class LdapSignInIT {

    static final Map<String, String> PEOPLE = Map.of("dave", "dave-" + UUID.randomUUID(), "erin", "erin-" + UUID.randomUUID(),
            "frank", "frank-" + UUID.randomUUID());
    static final String ADMIN_PASSWORD = "ldap-admin-" + UUID.randomUUID();

    static Path work;
    static Slapd slapd;
    static TestDatabase database;
    static CertwrightProcess app;
    static String admin;

    @BeforeAll
    static void start() throws Exception {
        slapd = Slapd.start(PEOPLE, Map.of("pki-operators", List.of("dave"), "auditors", List.of("frank")));
        work = Files.createTempDirectory("certwright-ldap-");
        database = TestDatabase.postgres();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database).env("CERTWRIGHT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .arg("--certwright.ldap.url=" + slapd.url()).arg("--certwright.ldap.user-dn-pattern=uid={0}," + Slapd.PEOPLE)
                .arg("--certwright.ldap.group-search-base=" + Slapd.GROUPS));
        admin = app.adminToken();
        assertThat(app.postJson("/api/v1/role-bindings", admin, Map.of("group", "pki-operators", "role", "OPERATOR")).status()).isEqualTo(201);
        assertThat(app.postJson("/api/v1/role-bindings", admin, Map.of("user", "frank", "role", "VIEWER")).status()).isEqualTo(201);
    }

    @AfterAll
    static void stop() throws Exception {
        if (database != null) {
            CertwrightProcess.stopAll(app, database, work);
        }
        if (slapd != null) {
            slapd.close();
        }
    }

    static String header(DashboardSession session) {
        String page = session.get("/").body();
        int at = page.indexOf("class=\"who\"");
        return at < 0 ? "" : page.substring(at, Math.min(page.length(), at + 300));
    }

    @Test
    void aPersonInABoundGroupSignsInWithTheDirectorysPasswordAndGetsItsRole() {
        DashboardSession dave = DashboardSession.signedIn(app, "dave", PEOPLE.get("dave"));
        assertThat(header(dave)).contains("ldap:dave").contains("OPERATOR");
        assertThat(dave.get("/users").status()).as("an ADMIN page").isEqualTo(403);
        assertThat(dave.get("/audit").status()).as("an OPERATOR page").isEqualTo(200);
        DashboardSession frank = DashboardSession.signedIn(app, "frank", PEOPLE.get("frank"));
        assertThat(header(frank)).contains("ldap:frank").contains("VIEWER");
        assertThat(header(DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD))).as("the local admin, as before").contains("admin").contains("ADMIN");
    }

    @Test
    void noBindingAWrongPasswordAndAnInjectedNameAreRefusedAlike() {
        for (String[] attempt : new String[][] {{"erin", PEOPLE.get("erin")}, {"dave", "not-the-password"}, {"*)(uid=*", PEOPLE.get("dave")},
                {"dave,ou=people", PEOPLE.get("dave")}, {"nobody", "x"}, {"dave", ""}}) {
            Response answer = DashboardSession.anonymous(app).signIn(attempt[0], attempt[1]);
            assertThat(answer.status()).as(attempt[0]).isEqualTo(302);
            assertThat(DashboardSession.location(answer)).as(attempt[0]).contains("/login?error");
        }
    }

    @Test
    void removingTheGroupsBindingEndsTheSessionAtItsNextRequest() {
        DashboardSession dave = DashboardSession.signedIn(app, "dave", PEOPLE.get("dave"));
        long id = -1;
        for (var b : app.get("/api/v1/role-bindings", admin).json()) {
            if (b.get("subject").asString().equals("pki-operators")) {
                id = b.get("id").asLong();
            }
        }
        assertThat(app.send("DELETE", "/api/v1/role-bindings/" + id, admin, null, null).status()).isEqualTo(204);
        try {
            Response next = dave.get("/");
            assertThat(next.status()).isEqualTo(302);
            assertThat(DashboardSession.location(next)).contains("/login?expired");
        } finally {
            assertThat(app.postJson("/api/v1/role-bindings", admin, Map.of("group", "pki-operators", "role", "OPERATOR")).status()).isEqualTo(201);
        }
    }
}
