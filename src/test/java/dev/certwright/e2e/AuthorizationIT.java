package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.DashboardSession;
import dev.certwright.support.Json;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/**
 * Issue 19, "no role exceeds its rights", against the real jar: an OPERATOR cannot name deployment targets or ask for
 * an on-host key (API and dashboard form), a session ends as soon as its user is disabled or given another role,
 * owner webhooks are shown to a VIEWER without their queries and changed by an OPERATOR with an audit entry, and the
 * sign-in form, ACME newAccount and API issuance are rate-limited with 429 and Retry-After. Sign-ins and user changes
 * are in the audit log, never a password.
 */
class AuthorizationIT {

    static final String ADMIN_PASSWORD = "authz-admin-" + java.util.UUID.randomUUID();
    static final String OLIVIA_PASSWORD = "olivia-password-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    static final String WRONG_PASSWORD = "wrong-password-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    static final int ISSUANCE_LIMIT = 4;

    static Path work;
    static CertwrightProcess app;
    static String admin;
    static String operator;
    static String viewer;
    static Openssl openssl;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("certwright-authz-");
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), TestDatabase.h2())
                .env("CERTWRIGHT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .arg("--certwright.notify.webhook-secret=authz-webhook-secret-0123456789")
                .arg("--certwright.sign-in.first-delay=PT1S")
                .arg("--certwright.acme.new-account-limit.per-address=3")
                .arg("--certwright.api.issuance-limit.per-token=" + ISSUANCE_LIMIT)
                .arg("--certwright.api.issuance-limit.window=PT1H"));
        admin = app.adminToken();
        operator = token("authz-operator", "OPERATOR");
        viewer = token("authz-viewer", "VIEWER");
        openssl = new Openssl(work);
        // The ADMIN-defined host that an operator must not be able to send certificates (and keys) to.
        Response target = app.postJson("/api/v1/deploy/targets", admin, Map.of("name", "prod-web", "kind", "files", "host", "127.0.0.1",
                "port", 1, "user", "deploy", "hostKeySha256", "SHA256:" + "A".repeat(43),
                "paths", Map.of("certificatePath", "/srv/tls/cert.pem", "keyPath", "/srv/tls/key.pem"),
                "probe", Map.of("host", "127.0.0.1", "port", 1, "serverName", "prod-web.test")));
        assertThat(target.status()).as(target.toString()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        CertwrightProcess.stopAll(app, TestDatabase.h2(), work);
    }

    static String token(String name, String role) {
        Response created = app.postJson("/api/v1/api-tokens", admin, Map.of("name", name, "role", role));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asString();
    }

    static Map<String, Object> managed(String name, Object... more) {
        Map<String, Object> body = new java.util.LinkedHashMap<>(Map.of("name", name, "profile", "tls-server", "dnsNames", List.of(name + ".test"),
                "owner", "team-authz"));
        for (int i = 0; i + 1 < more.length; i += 2) {
            body.put((String) more[i], more[i + 1]);
        }
        return body;
    }

    static void assertForbiddenProblem(Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(403);
        assertThat(response.contentType()).startsWith("application/problem+json");
        assertThat(response.json().get("type").asString()).isEqualTo("urn:certwright:problem:forbidden");
    }

    static List<String> auditDetails(String action, String subjectId) {
        Response entries = app.get("/api/v1/audit-log?action=" + action + (subjectId == null ? "" : "&subjectId=" + subjectId) + "&size=100", admin);
        assertThat(entries.status()).as(entries.toString()).isEqualTo(200);
        List<String> details = new java.util.ArrayList<>();
        entries.json().forEach(e -> details.add(e.get("actor").asString() + " " + e.get("details").asString()));
        return details;
    }

    @Test
    void anOperatorCannotNameTargetsOrAskForAnOnHostKeyThroughTheApi() {
        // The reproduction of issue 19: an OPERATOR created a slot with "targets": ["prod-web"] and got 201.
        assertForbiddenProblem(app.postJson("/api/v1/managed-certificates", operator, managed("op-targets", "targets", List.of("prod-web"))));
        assertForbiddenProblem(app.postJson("/api/v1/managed-certificates", operator, managed("op-onhost", "keyMode", "on-host",
                "targets", List.of("prod-web"))));
        assertForbiddenProblem(app.postJson("/api/v1/managed-certificates", operator, managed("op-onhost2", "keyMode", "on-host")));
        // Nothing was created.
        assertThat(app.get("/api/v1/managed-certificates/op-targets", admin).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/managed-certificates/op-onhost", admin).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/managed-certificates/op-onhost2", admin).status()).isEqualTo(404);
        // prod-web names none of them (other tests' admins may have attached slots of their own to it).
        List<String> onProdWeb = new java.util.ArrayList<>();
        app.get("/api/v1/deploy/targets/prod-web", admin).json().get("managedCertificates").forEach(n -> onProdWeb.add(n.asString()));
        assertThat(onProdWeb).doesNotContain("op-targets", "op-onhost", "op-onhost2");
        // Without targets the operator may create one, and may not add targets afterwards (the update path).
        Response plain = app.postJson("/api/v1/managed-certificates", operator, managed("op-plain"));
        assertThat(plain.status()).as(plain.toString()).isEqualTo(201);
        assertForbiddenProblem(app.send("PUT", "/api/v1/managed-certificates/op-plain/targets", operator, "application/json",
                Json.write(Map.of("targets", List.of("prod-web")))));
        assertThat(app.get("/api/v1/managed-certificates/op-plain", admin).json().get("targets")).isEmpty();
        // An admin may.
        Response byAdmin = app.postJson("/api/v1/managed-certificates", admin, managed("admin-targets", "targets", List.of("prod-web")));
        assertThat(byAdmin.status()).as(byAdmin.toString()).isEqualTo(201);
        assertThat(byAdmin.json().get("targets").get(0).asString()).isEqualTo("prod-web");
    }

    @Test
    void withoutSingleSignOnTheSessionCookieIsStrict() {
        // The sign-in page's form carries a CSRF token, which makes the session (decision 77: Lax only with single sign-on).
        Response page = app.send("GET", "/login", null, null, null);
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().get("set-cookie")).anySatisfy(c -> assertThat(c).startsWith("JSESSIONID=").contains("SameSite=Strict")
                .contains("Secure").contains("HttpOnly"));
        assertThat(page.body()).doesNotContain("id=\"sso\"");
    }

    @Test
    void theDashboardFormRefusesTargetsAndOnHostKeysToAnOperator() {
        DashboardSession adminSession = DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD);
        Response created = adminSession.postForm("/users", Map.of("username", "oscar", "password", OLIVIA_PASSWORD, "role", "OPERATOR"));
        assertThat(created.status()).as(created.toString()).isEqualTo(302);
        DashboardSession oscar = DashboardSession.signedIn(app, "oscar", OLIVIA_PASSWORD);
        // A slot of this test's own without targets, whose targets the operator must not set through the form.
        Response ownPlain = app.postJson("/api/v1/managed-certificates", token("authz-dash-operator", "OPERATOR"), managed("dash-op-plain"));
        assertThat(ownPlain.status()).as(ownPlain.toString()).isEqualTo(201);

        Response form = oscar.get("/managed/new");
        assertThat(form.status()).isEqualTo(200);
        assertThat(form.body()).doesNotContain("name=\"targetNames\"").doesNotContain("value=\"on-host\"").contains("targets-admin-only");

        Response withTarget = oscar.postForm("/managed/new", Map.of("name", "dash-targets", "profile", "tls-server", "dnsNames", "dash-targets.test",
                "owner", "team-authz", "targetNames", "prod-web"));
        assertThat(withTarget.status()).as(withTarget.toString()).isEqualTo(403);
        assertThat(withTarget.body()).contains("Only an admin may name deployment targets");
        Response onHost = oscar.postForm("/managed/new", Map.of("name", "dash-onhost", "profile", "tls-server", "dnsNames", "dash-onhost.test",
                "owner", "team-authz", "keyMode", "on-host"));
        assertThat(onHost.status()).as(onHost.toString()).isEqualTo(403);
        Response setTargets = oscar.postForm("/managed/dash-op-plain/targets", Map.of("targetNames", "prod-web"));
        assertThat(setTargets.status()).isEqualTo(403);
        assertThat(app.get("/api/v1/managed-certificates/dash-targets", admin).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/managed-certificates/dash-onhost", admin).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/managed-certificates/dash-op-plain", admin).json().get("targets")).isEmpty();

        Response plain = oscar.postForm("/managed/new", Map.of("name", "dash-plain", "profile", "tls-server", "dnsNames", "dash-plain.test",
                "owner", "team-authz"));
        assertThat(plain.status()).as(plain.toString()).isEqualTo(302);
        assertThat(DashboardSession.location(plain)).endsWith("/managed/dash-plain");

        // The admin's form has the targets, and the admin may use them.
        assertThat(adminSession.get("/managed/new").body()).contains("name=\"targetNames\"").contains("value=\"on-host\"");
        Response adminPost = adminSession.postForm("/managed/new", Map.of("name", "dash-admin", "profile", "tls-server", "dnsNames",
                "dash-admin.test", "owner", "team-authz", "targetNames", "prod-web"));
        assertThat(adminPost.status()).as(adminPost.toString()).isEqualTo(302);
        assertThat(app.get("/api/v1/managed-certificates/dash-admin", admin).json().get("targets").get(0).asString()).isEqualTo("prod-web");
    }

    @Test
    void aSessionEndsAtOnceWhenItsUserIsGivenAnotherRoleOrDisabled() {
        DashboardSession adminSession = DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD);
        assertThat(adminSession.postForm("/users", Map.of("username", "olivia", "password", OLIVIA_PASSWORD, "role", "OPERATOR")).status())
                .isEqualTo(302);
        DashboardSession olivia = DashboardSession.signedIn(app, "olivia", OLIVIA_PASSWORD);
        assertThat(olivia.get("/audit").status()).as("an operator reads the audit page").isEqualTo(200);

        assertThat(adminSession.postForm("/users/olivia/role", Map.of("role", "VIEWER")).status()).isEqualTo(302);
        Response afterRoleChange = olivia.get("/");
        assertThat(afterRoleChange.status()).isEqualTo(302);
        assertThat(DashboardSession.location(afterRoleChange)).endsWith("/login?expired");
        assertThat(olivia.get("/audit").status()).as("the old session is gone, not downgraded: sign in again").isEqualTo(302);

        DashboardSession again = DashboardSession.signedIn(app, "olivia", OLIVIA_PASSWORD);
        assertThat(again.get("/audit").status()).as("a VIEWER now").isEqualTo(403);
        assertThat(again.get("/").status()).isEqualTo(200);

        assertThat(adminSession.postForm("/users/olivia/enabled", Map.of("enabled", "false")).status()).isEqualTo(302);
        Response afterDisable = again.get("/");
        assertThat(afterDisable.status()).isEqualTo(302);
        assertThat(DashboardSession.location(afterDisable)).endsWith("/login?expired");
        Response signIn = DashboardSession.anonymous(app).signIn("olivia", OLIVIA_PASSWORD);
        assertThat(DashboardSession.location(signIn)).endsWith("/login?error");

        assertThat(adminSession.postForm("/users/olivia/password", Map.of("password", "a-new-password-for-olivia")).status()).isEqualTo(302);

        // Audited: the user changes, the sign-ins (with the address) and the refused one; never a password.
        assertThat(auditDetails("user.created", "olivia")).containsExactly("admin role=OPERATOR");
        assertThat(auditDetails("user.role-changed", "olivia")).containsExactly("admin from=OPERATOR to=VIEWER");
        assertThat(auditDetails("user.disabled", "olivia")).containsExactly("admin ");
        assertThat(auditDetails("user.password-changed", "olivia")).containsExactly("admin ");
        assertThat(auditDetails("user.signed-in", "olivia")).hasSize(2).allMatch(d -> d.equals("olivia address=127.0.0.1"));
        assertThat(auditDetails("user.sign-in-failed", "olivia")).containsExactly("anonymous address=127.0.0.1 reason=disabled");
        String everything = app.get("/api/v1/audit-log?size=1000", admin).body();
        assertThat(everything).doesNotContain(OLIVIA_PASSWORD).doesNotContain("a-new-password-for-olivia");
        assertThat(app.get("/api/v1/audit-log/verify", admin).json().get("valid").asBoolean()).isTrue();
    }

    @Test
    void aViewerReadsWebhooksWithoutTheirQueriesAndOnlyAnOperatorChangesThemAudited() {
        String body = Json.write(Map.of("emails", List.of("ops@example.test"), "webhooks", List.of("https://hooks.example.test/notify?token=s3cret-hook")));
        assertThat(app.send("PUT", "/api/v1/owners/team-hooks/contacts", viewer, "application/json", body).status()).isEqualTo(403);
        Response put = app.send("PUT", "/api/v1/owners/team-hooks/contacts", operator, "application/json", body);
        assertThat(put.status()).as(put.toString()).isEqualTo(200);

        Response seenByViewer = app.get("/api/v1/owners/team-hooks/contacts", viewer);
        assertThat(seenByViewer.json().get("webhooks").get(0).asString()).isEqualTo("https://hooks.example.test/notify");
        assertThat(seenByViewer.body()).doesNotContain("s3cret");
        assertThat(seenByViewer.json().get("emails").get(0).asString()).isEqualTo("ops@example.test");
        assertThat(app.get("/api/v1/owners/team-hooks/contacts", operator).json().get("webhooks").get(0).asString())
                .isEqualTo("https://hooks.example.test/notify?token=s3cret-hook");

        assertThat(auditDetails("owner-contacts.replaced", "team-hooks"))
                .containsExactly("token:authz-operator emails=[ops@example.test] webhooks=[https://hooks.example.test/notify]");
        assertThat(app.get("/api/v1/audit-log?size=1000", admin).body()).doesNotContain("s3cret");
    }

    @Test
    void apiIssuanceIsRateLimitedPerToken() {
        String burst = token("authz-burst", "OPERATOR");
        for (int i = 0; i < ISSUANCE_LIMIT; i++) {
            Response issued = app.postJson("/api/v1/certificates", burst, Map.of("csr", openssl.csr("/CN=burst" + i + ".test",
                    "subjectAltName=DNS:burst" + i + ".test"), "profile", "tls-server", "owner", "team-authz"));
            assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        }
        long before = app.get("/api/v1/certificates?owner=team-authz&size=1", admin).json().get("total").asLong();
        Response refused = app.postJson("/api/v1/certificates", burst, Map.of("csr", openssl.csr("/CN=burst-over.test",
                "subjectAltName=DNS:burst-over.test"), "profile", "tls-server", "owner", "team-authz"));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().get("type").asString()).isEqualTo("urn:certwright:problem:rate-limited");
        long retryAfter = Long.parseLong(refused.headers().get("retry-after").get(0));
        assertThat(retryAfter).isBetween(1L, 3600L);
        assertThat(app.postJson("/api/v1/managed-certificates", burst, managed("burst-managed")).status()).as("creating counts too").isEqualTo(429);
        assertThat(app.get("/api/v1/certificates?owner=team-authz&size=1", admin).json().get("total").asLong()).isEqualTo(before);
        // Another token has its own bucket.
        Response other = app.postJson("/api/v1/certificates", admin, Map.of("csr", openssl.csr("/CN=admin-after.test",
                "subjectAltName=DNS:admin-after.test"), "profile", "tls-server", "owner", "team-authz"));
        assertThat(other.status()).as(other.toString()).isEqualTo(201);
    }

    @Test
    void acmeNewAccountIsRateLimitedPerAddress() throws Exception {
        // Every newAccount POST takes a token, before its JWS is read: three (the configured limit) pass to the JWS checks.
        for (int i = 0; i < 3; i++) {
            Response malformed = app.send("POST", "/acme/new-account", null, "application/jose+json", "{}");
            assertThat(malformed.status()).as(malformed.toString()).isEqualTo(400);
        }
        Response limited = app.send("POST", "/acme/new-account", null, "application/jose+json", "{}");
        assertThat(limited.status()).as(limited.toString()).isEqualTo(429);
        assertThat(limited.contentType()).startsWith("application/problem+json");
        assertThat(limited.json().get("type").asString()).isEqualTo("urn:ietf:params:acme:error:rateLimited");
        assertThat(Long.parseLong(limited.headers().get("retry-after").get(0))).isBetween(1L, 3600L);
        // Another client address is not limited.
        Response elsewhere = DashboardSession.from(app, "127.0.0.2").send("POST", "/acme/new-account", "application/jose+json", "{}", null);
        assertThat(elsewhere.status()).as(elsewhere.toString()).isEqualTo(400);
    }

    @Test
    void failedSignInsForOneUserAreAnswered429WithAGrowingDelay() throws Exception {
        DashboardSession guesser = DashboardSession.anonymous(app);
        for (int i = 0; i < 5; i++) {
            Response failed = guesser.signIn("admin", WRONG_PASSWORD);
            assertThat(DashboardSession.location(failed)).as("failure %d", i + 1).endsWith("/login?error");
        }
        Response blocked = guesser.signIn("admin", WRONG_PASSWORD);
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(429);
        assertThat(blocked.contentType()).startsWith("application/problem+json");
        long first = Long.parseLong(blocked.headers().get("retry-after").get(0));
        assertThat(first).isEqualTo(1);
        assertThat(guesser.signIn("admin", ADMIN_PASSWORD).status()).as("even the right password waits").isEqualTo(429);

        // When the block ends, one more failure blocks again, for twice as long.
        Response next = awaitNot429(guesser, "admin", WRONG_PASSWORD);
        assertThat(DashboardSession.location(next)).endsWith("/login?error");
        Response again = guesser.signIn("admin", WRONG_PASSWORD);
        assertThat(again.status()).isEqualTo(429);
        assertThat(Long.parseLong(again.headers().get("retry-after").get(0))).isEqualTo(2);

        // After the block, the right password signs in and clears the count.
        Response right = awaitNot429(guesser, "admin", ADMIN_PASSWORD);
        assertThat(right.status()).isEqualTo(302);
        assertThat(DashboardSession.location(right)).doesNotContain("/login");
        assertThat(auditDetails("user.sign-in-failed", "admin")).hasSizeGreaterThanOrEqualTo(6)
                .allMatch(d -> d.equals("anonymous address=127.0.0.1 reason=bad-credentials"));
        assertThat(app.get("/api/v1/audit-log?size=1000", admin).body()).doesNotContain(WRONG_PASSWORD).doesNotContain(ADMIN_PASSWORD);
    }

    @Test
    void twentyFailuresFromOneAddressBlockThatAddressForEveryUser() {
        DashboardSession far = DashboardSession.from(app, "127.0.0.3");
        for (int i = 0; i < 20; i++) {
            // Four guesses each for five names: no name reaches its own limit of five.
            Response failed = far.signIn("nobody-" + (i % 5), WRONG_PASSWORD);
            assertThat(DashboardSession.location(failed)).as("failure %d", i + 1).endsWith("/login?error");
        }
        Response blocked = far.signIn("admin", ADMIN_PASSWORD);
        assertThat(blocked.status()).as(blocked.toString()).isEqualTo(429);
        assertThat(blocked.headers().get("retry-after")).isNotEmpty();
        // The admin signs in from its own address.
        DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD);
        assertThat(auditDetails("user.sign-in-failed", "nobody-0")).hasSize(4).allMatch(d -> d.contains("address=127.0.0.3"));
    }

    /** Repeats the sign-in until it is not refused 429 (the block has ended), within 10 seconds. */
    static Response awaitNot429(DashboardSession session, String user, String password) {
        return await("the end of the sign-in block").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> session.signIn(user, password), answer -> answer.status() != 429);
    }
}
