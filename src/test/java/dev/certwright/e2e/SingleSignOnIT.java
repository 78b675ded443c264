package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.certwright.support.Browser;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Keycloak;
import dev.certwright.support.TestDatabase;

/**
 * Single sign-on against a real Keycloak (decision 77), from its distribution on Maven Central, with a realm the test
 * imports: people sign in through Keycloak's own login page in headless Chromium and get the role their group is bound
 * to, one without a binding is refused, a binding removed ends the session, signing out ends the session at Keycloak
 * too, and a client-credentials token calls the API with its service account's role. The audience is checked: a token
 * issued to another client of the same realm is refused.
 */
class SingleSignOnIT {

    static final String DASHBOARD_SECRET = "dashboard-" + UUID.randomUUID();
    static final String BOT_SECRET = "bot-" + UUID.randomUUID();
    static final String OTHER_SECRET = "other-" + UUID.randomUUID();
    static final Map<String, String> PASSWORDS = Map.of("alice", "alice-" + UUID.randomUUID(), "bob", "bob-" + UUID.randomUUID(), "carol",
            "carol-" + UUID.randomUUID());

    static Path work;
    static Keycloak keycloak;
    static TestDatabase database;
    static CertwrightProcess app;
    static String admin;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("certwright-sso-");
        int https = CertwrightProcess.freePort();
        base = "https://localhost:" + https;
        String realm = new String(SingleSignOnIT.class.getResourceAsStream("/keycloak/certwright-realm.json").readAllBytes(), StandardCharsets.UTF_8)
                .replace("@DASHBOARD_URL@", base).replace("@DASHBOARD_SECRET@", DASHBOARD_SECRET).replace("@BOT_SECRET@", BOT_SECRET)
                .replace("@OTHER_SECRET@", OTHER_SECRET).replace("@ALICE_PASSWORD@", PASSWORDS.get("alice"))
                .replace("@BOB_PASSWORD@", PASSWORDS.get("bob")).replace("@CAROL_PASSWORD@", PASSWORDS.get("carol"));
        keycloak = Keycloak.start(CertwrightProcess.freePort(), realm);
        database = TestDatabase.h2();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database).httpsPort(https)
                .env("CERTWRIGHT_OIDC_CLIENT_SECRET", DASHBOARD_SECRET)
                .arg("--certwright.oidc.issuer-uri=" + keycloak.issuer()).arg("--certwright.oidc.client-id=certwright-dashboard")
                .arg("--certwright.oidc.display-name=Keycloak"));
        admin = app.adminToken();
        for (var binding : List.of(Map.of("group", "pki-admins", "role", "ADMIN"), Map.of("group", "pki-viewers", "role", "VIEWER"),
                Map.of("group", "automation", "role", "OPERATOR"))) {
            Response created = app.postJson("/api/v1/role-bindings", admin, binding);
            assertThat(created.status()).as(created.body()).isEqualTo(201);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (keycloak != null) {
            keycloak.close();
        }
        if (database != null) {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    /** Through the dashboard's button and Keycloak's own login form; returns where the browser ends up. */
    static String signIn(Browser browser, String user) {
        browser.driver.manage().deleteAllCookies();
        browser.driver.get(base + "/login");
        browser.driver.findElement(By.id("sso")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().contains("/realms/" + Keycloak.REALM + "/"));
        browser.driver.findElement(By.id("username")).sendKeys(user);
        browser.driver.findElement(By.id("password")).sendKeys(PASSWORDS.get(user));
        browser.driver.findElement(By.id("kc-login")).click();
        new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(base));
        String at = browser.driver.getCurrentUrl();
        boolean expectRefusal = user.equals("carol") && bindings("user", "carol").isEmpty();
        if (at.contains("sso-refused") && !expectRefusal) {
            String log = app.log();
            throw new AssertionError(user + " was refused; the server said:\n" + log.substring(Math.max(0, log.length() - 4000)));
        }
        return at;
    }

    @Test
    void aPersonSignsInAtKeycloakGetsTheirGroupsRoleAndSigningOutEndsTheProvidersSessionToo() throws Exception {
        try (Browser browser = Browser.start()) {
            assertThat(signIn(browser, "alice")).isEqualTo(base + "/");
            browser.driver.get(base + "/users");
            assertThat(browser.driver.getPageSource()).as("an ADMIN page").contains("admin");
            assertThat(browser.driver.getPageSource()).contains("oidc:alice");
            browser.screenshot("sso-signed-in");
            browser.driver.findElement(By.xpath("//form[@action='/logout']/button")).click();
            new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().startsWith(base + "/login?logout"));
            // Keycloak's session ended as well: asking to sign in again shows its login form instead of coming straight back.
            browser.driver.get(base + "/oauth2/authorization/oidc");
            new WebDriverWait(browser.driver, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().contains("/realms/" + Keycloak.REALM + "/"));
            assertThat(browser.driver.findElements(By.id("kc-login"))).isNotEmpty();
        }
    }

    @Test
    void aViewerMayNotOpenAnAdminsPageAndLosesTheSessionWhenItsBindingGoes() throws Exception {
        try (Browser browser = Browser.start()) {
            assertThat(signIn(browser, "bob")).isEqualTo(base + "/");
            browser.driver.get(base + "/users");
            assertThat(browser.driver.getPageSource()).contains("your role does not allow this");
            long binding = bindingId("group", "pki-viewers");
            assertThat(app.send("DELETE", "/api/v1/role-bindings/" + binding, admin, null, null).status()).isEqualTo(204);
            try {
                browser.driver.get(base + "/");
                new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> d.getCurrentUrl().contains("/login?expired"));
            } finally {
                assertThat(app.postJson("/api/v1/role-bindings", admin, Map.of("group", "pki-viewers", "role", "VIEWER")).status()).isEqualTo(201);
            }
        }
    }

    @Test
    void theSignInGoesToTheProviderWithPkceAndASessionCookieItsRedirectBackWillBring() {
        Response redirect = app.send("GET", "/oauth2/authorization/oidc", null, null, null);
        assertThat(redirect.status()).isEqualTo(302);
        assertThat(redirect.headers().get("location").getFirst()).startsWith(keycloak.issuer() + "/protocol/openid-connect/auth?")
                .contains("code_challenge_method=S256").contains("client_id=certwright-dashboard");
        // SameSite=Strict would keep the cookie off the provider's cross-site redirect back, and the request with it.
        assertThat(redirect.headers().get("set-cookie")).anySatisfy(c -> assertThat(c).startsWith("JSESSIONID=").contains("SameSite=Lax")
                .contains("Secure").contains("HttpOnly"));
    }

    @Test
    void aPersonWithoutARoleBindingIsSentBackWithTheReason() throws Exception {
        try (Browser browser = Browser.start()) {
            bindings("user", "carol").forEach(id -> app.send("DELETE", "/api/v1/role-bindings/" + id, admin, null, null));
            assertThat(signIn(browser, "carol")).contains("/login?sso-refused");
            assertThat(browser.driver.findElement(By.id("sso-refused")).getText()).contains("role binding");
            browser.driver.get(base + "/");
            assertThat(browser.driver.getCurrentUrl()).as("not signed in").contains("/login");
        }
    }

    @Test
    void anAdminBindsSomeoneOnTheUsersPageAndTheyCanSignIn() throws Exception {
        try (Browser browser = Browser.start()) {
            assertThat(signIn(browser, "alice")).isEqualTo(base + "/");
            browser.driver.get(base + "/users");
            new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("binding-kind"))).selectByValue("user");
            browser.driver.findElement(By.id("binding-subject")).sendKeys("carol");
            new org.openqa.selenium.support.ui.Select(browser.driver.findElement(By.id("binding-role"))).selectByValue("VIEWER");
            browser.driver.findElement(By.id("create-binding")).click();
            new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> d.getPageSource().contains("is bound to VIEWER"));
            long id = bindingId("user", "carol");
            assertThat(app.get("/api/v1/audit-log?action=role-binding.created", admin).body()).contains("oidc:alice").contains("user=carol");
            try (Browser other = Browser.start()) {
                assertThat(signIn(other, "carol")).isEqualTo(base + "/");
                assertThat(other.driver.getPageSource()).contains("oidc:carol").contains("VIEWER");
            } finally {
                browser.driver.findElement(By.xpath("//tr[@id='binding-" + id + "']//button")).click();
                new WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> d.getPageSource().contains("Role binding " + id + " removed."));
            }
            assertThat(app.get("/api/v1/role-bindings/" + id, admin).status()).isEqualTo(404);
        }
    }

    @Test
    void aClientCredentialsTokenCallsTheApiWithItsServiceAccountsRoleAndOthersAreRefused() throws Exception {
        String token = keycloak.clientCredentialsToken("deploy-bot", BOT_SECRET);
        assertThat(app.get("/api/v1/certificates", token).status()).isEqualTo(200);
        Response slot = app.postJson("/api/v1/managed-certificates", token, Map.of("name", "sso-bot", "profile", "tls-server",
                "dnsNames", List.of("bot.test"), "owner", "team-bot"));
        assertThat(slot.status()).as(slot.body()).isEqualTo(201);
        assertThat(app.get("/api/v1/audit-log?action=managed-certificate.created", admin).body()).contains("oidc:service-account-deploy-bot");
        assertThat(app.get("/api/v1/api-tokens", token).status()).as("OPERATOR, not ADMIN").isEqualTo(403);
        assertThat(app.get("/api/v1/role-bindings", token).status()).isEqualTo(403);

        String otherAudience = keycloak.clientCredentialsToken("other-app", OTHER_SECRET);
        Response refused = app.get("/api/v1/certificates", otherAudience);
        assertThat(refused.status()).as("a token for another client of the realm").isEqualTo(401);
        assertThat(refused.contentType()).contains("application/problem+json");
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + parts[1] + "." + new StringBuilder(parts[2]).reverse();
        assertThat(app.get("/api/v1/certificates", forged).status()).as("a bad signature").isEqualTo(401);
        assertThat(app.get("/api/v1/certificates", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.").status()).as("alg none").isEqualTo(401);
        assertThat(app.get("/api/v1/certificates", admin).status()).as("Certwright's own tokens keep working").isEqualTo(200);
    }

    @Test
    void roleBindingsAreAdminsOnlyValidatedAndAudited() {
        String viewer = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "sso-viewer", "role", "VIEWER")).json().get("token").asString();
        assertThat(app.get("/api/v1/role-bindings", viewer).status()).isEqualTo(403);
        for (Map<String, Object> bad : List.<Map<String, Object>>of(Map.of("user", "x", "group", "y", "role", "ADMIN"), Map.of("role", "ADMIN"),
                Map.of("user", "x", "role", "SERVICE"), Map.of("user", "x", "role", "ROOT"), Map.of("user", "", "role", "VIEWER"),
                Map.of("user", "x", "role", "OPERATOR", "owners", List.of("team-web")), Map.of("user", "x\ny", "role", "VIEWER"))) {
            Response refused = app.postJson("/api/v1/role-bindings", admin, bad);
            assertThat(refused.status()).as(bad + ": " + refused.body()).isEqualTo(400);
            assertThat(refused.contentType()).contains("application/problem+json");
        }
        Response created = app.postJson("/api/v1/role-bindings", admin, Map.of("user", "dave", "role", "VIEWER"));
        assertThat(created.status()).isEqualTo(201);
        assertThat(app.postJson("/api/v1/role-bindings", admin, Map.of("user", "dave", "role", "VIEWER")).status()).isEqualTo(409);
        long id = created.json().get("id").asLong();
        assertThat(app.send("DELETE", "/api/v1/role-bindings/" + id, admin, null, null).status()).isEqualTo(204);
        assertThat(app.send("DELETE", "/api/v1/role-bindings/" + id, admin, null, null).status()).isEqualTo(404);
        assertThat(app.get("/api/v1/role-bindings/nonesuch", admin).status()).isEqualTo(400);
        String audit = app.get("/api/v1/audit-log?subjectType=role-binding", admin).body();
        assertThat(audit).contains("role-binding.created", "role-binding.deleted", "user=dave");
    }

    @Test
    void withLocalUsersOffThePasswordFormIsGoneAndTheAdminsPasswordSignsNobodyIn(@org.junit.jupiter.api.io.TempDir Path dir) {
        String password = "local-" + UUID.randomUUID();
        try (TestDatabase h2 = TestDatabase.h2();
                CertwrightProcess only = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), h2)
                        .env("CERTWRIGHT_ADMIN_PASSWORD", password).env("CERTWRIGHT_OIDC_CLIENT_SECRET", DASHBOARD_SECRET)
                        .arg("--certwright.oidc.issuer-uri=" + keycloak.issuer()).arg("--certwright.oidc.client-id=certwright-dashboard")
                        .arg("--certwright.oidc.local-users=false"))) {
            Response page = only.send("GET", "/login", null, null, null);
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.body()).contains("id=\"sso\"").doesNotContain("id=\"username\"").doesNotContain("id=\"password\"");
            dev.certwright.support.DashboardSession session = dev.certwright.support.DashboardSession.anonymous(only);
            Response attempt = session.postFormRaw("/login", Map.of("username", "admin", "password", password));
            assertThat(attempt.status() == 302 ? dev.certwright.support.DashboardSession.location(attempt) : "refused " + attempt.status())
                    .as("no form login behind it: back to the sign-in page at most").matches("refused 4\\d\\d|.*/login.*");
            Response home = session.get("/");
            assertThat(home.status()).isEqualTo(302);
            assertThat(dev.certwright.support.DashboardSession.location(home)).contains("/login");
            assertThat(only.get("/api/v1/certificates", only.adminToken()).status()).as("API tokens are not sign-ins").isEqualTo(200);
        }
    }

    @Test
    void aProviderThatCannotBeReachedIsAReasonOnTheSignInPageAndA401NeverA500(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        int nobody = CertwrightProcess.freePort();
        try (TestDatabase h2 = TestDatabase.h2();
                CertwrightProcess cut = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), h2)
                        .env("CERTWRIGHT_OIDC_CLIENT_SECRET", DASHBOARD_SECRET)
                        .arg("--certwright.oidc.issuer-uri=http://localhost:" + nobody + "/realms/" + Keycloak.REALM)
                        .arg("--certwright.oidc.client-id=certwright-dashboard"))) {
            Response redirect = cut.send("GET", "/oauth2/authorization/oidc", null, null, null);
            assertThat(redirect.status()).isEqualTo(302);
            assertThat(redirect.headers().get("location").getFirst()).endsWith("/login?sso-unavailable");
            assertThat(cut.send("GET", "/login?sso-unavailable", null, null, null).body()).contains("id=\"sso-unavailable\"");
            Response api = cut.get("/api/v1/certificates", keycloak.clientCredentialsToken("deploy-bot", BOT_SECRET));
            assertThat(api.status()).as("a token that cannot be checked").isEqualTo(401);
            assertThat(api.contentType()).contains("application/problem+json");
            assertThat(cut.get("/api/v1/certificates", cut.adminToken()).status()).isEqualTo(200);
        }
    }

    static List<Long> bindings(String kind, String subject) {
        List<Long> out = new java.util.ArrayList<>();
        for (var b : app.get("/api/v1/role-bindings", admin).json()) {
            if (b.get("subjectKind").asString().equals(kind) && b.get("subject").asString().equals(subject)) {
                out.add(b.get("id").asLong());
            }
        }
        return out;
    }

    static long bindingId(String kind, String subject) {
        for (var b : app.get("/api/v1/role-bindings", admin).json()) {
            if (b.get("subjectKind").asString().equals(kind) && b.get("subject").asString().equals(subject)) {
                return b.get("id").asLong();
            }
        }
        throw new AssertionError("no binding for " + kind + " " + subject);
    }
}
