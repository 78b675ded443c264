package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

import dev.certwright.support.Browser;
import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.DashboardSession;
import dev.certwright.support.Openssl;
import dev.certwright.support.TestDatabase;

/**
 * The dashboard in Debian's headless Chromium, as operators use it: sign in, the overview's buckets, inventory
 * filters, revocation by an OPERATOR with its confirmation, a VIEWER without the action and a forged POST refused, an
 * owner that is an XSS payload shown as text, users made by an admin, the issuers' generations after a rollover,
 * sign-out and session expiry. Screenshots of the main pages go to target/screenshots/. Each test signs in as the
 * user it needs and works on certificates of its own, so the tests pass in any order; the users OPERATOR and VIEWER
 * are made once, before them.
 */
class DashboardIT {

    static final String ADMIN_PASSWORD = "dashboard-admin-" + java.util.UUID.randomUUID();
    static final String OPERATOR_PASSWORD = "operator-password-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    static final String VIEWER_PASSWORD = "viewer-password-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    static final String XSS = "<img src=x onerror=\"window.xss=1\">";

    static Path work;
    static CertwrightProcess app;
    static Browser browser;
    static String admin;
    static String base;
    static final Map<String, String> serials = new HashMap<>();
    /** A VIEWER session signed in before the tests and left alone from then on: it ends by idling past the timeout. */
    static DashboardSession idle;
    static Instant idleSince;

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("certwright-dashboard-");
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), TestDatabase.h2())
                .env("CERTWRIGHT_ADMIN_PASSWORD", ADMIN_PASSWORD).arg("--certwright.session.idle-timeout=PT20S"));
        admin = app.adminToken();
        base = "https://localhost:" + app.httpsPort();
        Openssl openssl = new Openssl(work);
        issue(openssl, "a1", "team-a", "short-lived", "PT12H");
        issue(openssl, "a2", "team-a", "short-lived", "PT20H");
        issue(openssl, "b1", "team-b", "tls-client", "P20D");
        issue(openssl, "c1", "team-c", "tls-server", "P60D");
        issue(openssl, "x1", XSS, "tls-server", "P80D");
        // The operator's revocation has a certificate of its own, one no other test counts on (in no bucket below 90 days).
        issue(openssl, "r1", "team-r", "tls-server", "P85D");
        assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web", "profile", "tls-server", "dnsNames",
                List.of("web.test"), "owner", "team-a")).status()).isEqualTo(201);
        // The operator and the viewer the role tests sign in as (anAdminCreatesAnOperatorAndAViewer makes two more in the browser).
        DashboardSession adminSession = DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD);
        for (String[] user : new String[][] {{"olga", OPERATOR_PASSWORD, "OPERATOR"}, {"victor", VIEWER_PASSWORD, "VIEWER"}}) {
            Response created = adminSession.postForm("/users", Map.of("username", user[0], "password", user[1], "role", user[2]));
            assertThat(created.status()).as(created.toString()).isEqualTo(302);
        }
        // certwright.session.idle-timeout=PT20S (server.servlet.session.timeout counts whole minutes): the idle session's
        // 20 s run while the other tests do, and it is not touched again until signOutWorksAndAnIdleSessionEnds (a request
        // would restart them).
        idle = DashboardSession.signedIn(app, "victor", VIEWER_PASSWORD);
        assertThat(idle.get("/certificates").status()).as("signed in, the inventory is shown").isEqualTo(200);
        idleSince = Instant.now();
        browser = Browser.start();
    }

    static void issue(Openssl openssl, String label, String owner, String profile, String validity) {
        String csr = openssl.csr("/CN=" + label + ".test", "subjectAltName=DNS:" + label + ".test");
        Response issued = app.postJson("/api/v1/certificates", admin, Map.of("csr", csr, "profile", profile, "owner", owner, "validity", validity));
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        serials.put(label, issued.json().get("serial").asString());
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.close();
        }
        CertwrightProcess.stopAll(app, TestDatabase.h2(), work);
    }

    static long apiTotal(String window) {
        return app.get("/api/v1/certificates?status=ISSUED&expiringWithin=" + window + "&size=1", admin).json().get("total").asLong();
    }

    static String text(String css) {
        return browser.driver.findElement(By.cssSelector(css)).getText();
    }

    static List<String> column(String table, int index) {
        return browser.driver.findElements(By.cssSelector("table#" + table + " tbody tr")).stream()
                .map(row -> row.findElements(By.tagName("td"))).filter(cells -> cells.size() > index).map(cells -> cells.get(index).getText()).toList();
    }

    /** Opens a certificate's detail page from the inventory, the way a person would find it. */
    static void openDetail(String label) {
        browser.driver.get(base + "/certificates?q=" + serials.get(label));
        browser.driver.findElement(By.cssSelector("table#inventory tbody tr td a")).click();
        assertThat(text("#serial")).isEqualTo(serials.get(label));
    }

    @Test
    void signInAndTheOverviewPutsCertificatesInTheRightBuckets() throws Exception {
        browser.driver.manage().deleteAllCookies(); // signed out, whichever test ran before
        browser.driver.get(base + "/");
        assertThat(browser.driver.getCurrentUrl()).as("the dashboard needs a sign-in").contains("/login");
        browser.screenshot("login");
        browser.signIn(base, "admin", "wrong password");
        assertThat(browser.driver.getPageSource()).contains("Wrong user name or password");
        browser.signIn(base, "admin", ADMIN_PASSWORD);
        assertThat(browser.driver.getCurrentUrl()).isEqualTo(base + "/");
        assertThat(Long.parseLong(text("#within-7 .n"))).isEqualTo(apiTotal("P7D")).isGreaterThanOrEqualTo(2);
        assertThat(Long.parseLong(text("#within-30 .n"))).isEqualTo(apiTotal("P30D")).isGreaterThanOrEqualTo(3);
        assertThat(Long.parseLong(text("#within-90 .n"))).isEqualTo(apiTotal("P90D")).isGreaterThanOrEqualTo(6);
        assertThat(browser.driver.findElements(By.cssSelector("svg#expiry-chart rect.bar"))).hasSize(13);
        assertThat(column("soonest", 1).subList(0, 2)).containsExactly("team-a", "team-a");
        assertThat(text("#ca-health")).contains("dev-issuing").contains("dev-root");
        browser.screenshot("overview");
        // The 7-day bucket links to the filtered inventory: the two short-lived certificates, soonest first.
        browser.driver.findElement(By.id("within-7")).click();
        browser.awaitUrl("expiringWithin=P7D");
        assertThat(browser.driver.getCurrentUrl()).contains("expiringWithin=P7D");
        assertThat(browser.driver.findElement(By.id("inventory")).getText()).contains(serials.get("a1")).contains(serials.get("a2"))
                .doesNotContain(serials.get("b1")).doesNotContain(serials.get("c1"));
        browser.driver.get(base + "/certificates?expiringWithin=P30D&sort=notAfter");
        assertThat(browser.driver.findElement(By.id("inventory")).getText()).contains(serials.get("b1")).doesNotContain(serials.get("c1"));
    }

    @Test
    void anAdminCreatesAnOperatorAndAViewer() throws Exception {
        browser.signIn(base, "admin", ADMIN_PASSWORD);
        browser.driver.get(base + "/users");
        for (String[] user : new String[][] {{"oscar", OPERATOR_PASSWORD, "OPERATOR"}, {"vera", VIEWER_PASSWORD, "VIEWER"}}) {
            browser.driver.findElement(By.id("new-username")).sendKeys(user[0]);
            browser.driver.findElement(By.id("new-password")).sendKeys(user[1]);
            new Select(browser.driver.findElement(By.id("new-role"))).selectByValue(user[2]);
            browser.driver.findElement(By.id("create-user")).click();
            new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, Duration.ofSeconds(10)).until(d -> d.getPageSource()
                    .contains("User " + user[0] + " (" + user[2] + ") created."));
        }
        assertThat(column("users", 0)).contains("admin", "olga", "victor", "oscar", "vera");
        browser.screenshot("users");
        assertThat(app.get("/api/v1/audit-log?action=user.created", admin).body()).contains("oscar").contains("vera");
        // The users made in the browser can sign in with the role chosen for them.
        assertThat(DashboardSession.signedIn(app, "oscar", OPERATOR_PASSWORD).get("/users").status()).as("an OPERATOR is no admin").isEqualTo(403);
        assertThat(DashboardSession.signedIn(app, "vera", VIEWER_PASSWORD).get("/certificates").status()).isEqualTo(200);
    }

    @Test
    void theInventoryFiltersByOwnerWithABookmarkableUrl() throws Exception {
        browser.signIn(base, "victor", VIEWER_PASSWORD);
        browser.driver.get(base + "/certificates");
        WebElement owner = browser.driver.findElement(By.cssSelector("#filters input[name=owner]"));
        owner.sendKeys("team-b");
        browser.driver.findElement(By.id("apply")).click();
        browser.awaitUrl("owner=team-b");
        assertThat(browser.driver.getCurrentUrl()).contains("owner=team-b");
        assertThat(column("inventory", 4)).containsOnly("team-b").hasSize(1);
        assertThat(browser.driver.findElement(By.id("export")).getAttribute("href")).contains("owner=team-b");
        String bookmarked = browser.driver.getCurrentUrl();
        browser.driver.get(base + "/");
        browser.driver.get(bookmarked);
        assertThat(column("inventory", 4)).containsOnly("team-b");
        browser.screenshot("inventory");
    }

    @Test
    void anOperatorRevokesFromTheDetailPageAfterConfirming() throws Exception {
        browser.signIn(base, "olga", OPERATOR_PASSWORD);
        openDetail("r1");
        assertThat(text("#ocsp-status")).isEqualTo("good");
        browser.screenshot("certificate");
        browser.driver.findElement(By.id("revoke")).click();
        browser.awaitUrl("/revoke");
        assertThat(browser.driver.getCurrentUrl()).endsWith("/revoke");
        new Select(browser.driver.findElement(By.id("reason"))).selectByValue("keyCompromise");
        browser.driver.findElement(By.id("confirm")).click();
        browser.screenshot("revoke-confirmation");
        browser.driver.findElement(By.id("confirm-revoke")).click();
        browser.awaitUrlNot("/revoke");
        assertThat(text("#status")).isEqualTo("REVOKED");
        assertThat(text("#ocsp-status")).as("our OCSP responder says so at once").isEqualTo("revoked");
        assertThat(text("#revocation")).contains("keyCompromise").contains("olga");
        assertThat(app.get("/api/v1/certificates/" + serials.get("r1"), admin).json().get("status").asString()).isEqualTo("REVOKED");
        assertThat(app.get("/api/v1/audit-log?action=certificate.revoked", admin).body()).contains("olga");
    }

    @Test
    void anOperatorImportsABundleFromThePageAndReadsTheReport() throws Exception {
        java.security.KeyPair rootKey = dev.certwright.x509.TestCertificates.ecKey();
        java.security.KeyPair leafKey = dev.certwright.x509.TestCertificates.ecKey();
        var root = dev.certwright.x509.TestCertificates.certificate("CN=Dashboard Import Root", rootKey.getPublic(), "CN=Dashboard Import Root",
                rootKey.getPrivate(), true, null);
        var leaf = dev.certwright.x509.TestCertificates.certificate("CN=dash-import.test", leafKey.getPublic(), "CN=Dashboard Import Root",
                rootKey.getPrivate(), false, null);
        Path bundle = work.resolve("dashboard-bundle.pem");
        Files.writeString(bundle, dev.certwright.x509.Pem.encodeChain(List.of(leaf, root)) + "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n");
        browser.signIn(base, "olga", OPERATOR_PASSWORD);
        browser.driver.findElement(By.linkText("Import")).click();
        browser.awaitUrl("/imports");
        browser.driver.findElement(By.id("file")).sendKeys(bundle.toString());
        browser.driver.findElement(By.id("owner")).sendKeys("team-import");
        browser.driver.findElement(By.id("import-submit")).click();
        new org.openqa.selenium.support.ui.WebDriverWait(browser.driver, java.time.Duration.ofSeconds(30))
                .until(d -> !d.findElements(By.id("import-report")).isEmpty());
        browser.screenshot("import-report");
        assertThat(text("#imported")).isEqualTo("2");
        assertThat(text("#already-known")).isEqualTo("0");
        assertThat(column("rejected", 0)).containsExactly("dashboard-bundle.pem#2");
        assertThat(app.get("/api/v1/certificates/" + leaf.getSerialNumber().toString(16), admin).json().get("owner").asString()).isEqualTo("team-import");
        assertThat(app.get("/api/v1/audit-log?action=certificates.bulk-imported", admin).body()).contains("olga");

        browser.signIn(base, "victor", VIEWER_PASSWORD);
        assertThat(browser.driver.findElements(By.linkText("Import"))).as("a viewer has no import").isEmpty();
    }

    @Test
    void aViewerHasNoRevokeActionAndAForgedPostIsRefused() throws Exception {
        browser.signIn(base, "victor", VIEWER_PASSWORD);
        openDetail("c1");
        String id = browser.driver.getCurrentUrl().replaceAll(".*/certificates/(\\d+).*", "$1");
        assertThat(browser.driver.findElements(By.id("revoke"))).isEmpty();
        assertThat(browser.driver.findElements(By.id("renew"))).isEmpty();
        // A POST with the viewer's own valid CSRF token: the server refuses the role, not just the page.
        Object status = browser.driver.executeScript("const token = document.querySelector('input[name=_csrf]').value;"
                + "return fetch('/certificates/' + arguments[0] + '/revoke', {method: 'POST', redirect: 'manual',"
                + " headers: {'Content-Type': 'application/x-www-form-urlencoded'},"
                + " body: 'reason=keyCompromise&confirm=yes&_csrf=' + encodeURIComponent(token)}).then(r => r.status);", id);
        assertThat(((Number) status).intValue()).isEqualTo(403);
        Object noToken = browser.driver.executeScript("return fetch('/certificates/' + arguments[0] + '/revoke', {method: 'POST', redirect: 'manual',"
                + " headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'reason=keyCompromise&confirm=yes'}).then(r => r.status);",
                id);
        assertThat(((Number) noToken).intValue()).as("no CSRF token").isEqualTo(403);
        Object users = browser.driver.executeScript("return fetch('/users', {redirect: 'manual'}).then(r => r.status);");
        assertThat(((Number) users).intValue()).isEqualTo(403);
        assertThat(app.get("/api/v1/certificates/" + serials.get("c1"), admin).json().get("status").asString()).isEqualTo("ISSUED");
    }

    @Test
    void anOwnerNamedLikeMarkupIsShownAsText() throws Exception {
        browser.signIn(base, "victor", VIEWER_PASSWORD);
        browser.driver.get(base + "/certificates?owner=" + URLEncoder.encode(XSS, StandardCharsets.UTF_8));
        assertThat(column("inventory", 4)).containsExactly(XSS);
        assertThat(browser.driver.findElements(By.cssSelector("table#inventory img"))).isEmpty();
        openDetail("x1");
        assertThat(text("#owner")).isEqualTo(XSS);
        browser.driver.get(base + "/");
        assertThat(browser.driver.executeScript("return window.xss === undefined")).isEqualTo(Boolean.TRUE);
        assertThat(browser.driver.getPageSource()).doesNotContain("<img src=x");
        browser.screenshot("xss-owner");
    }

    @Test
    void screenshotsOfTheMainPages() throws Exception {
        browser.signIn(base, "admin", ADMIN_PASSWORD);
        for (String[] page : new String[][] {{"/managed", "managed-list"}, {"/managed/web", "managed"}, {"/targets", "targets"},
                {"/acme-accounts", "acme-accounts"}, {"/service-tokens", "service-tokens"}, {"/jobs", "jobs"}, {"/audit", "audit"}}) {
            browser.driver.get(base + page[0]);
            assertThat(browser.driver.getTitle()).endsWith("Certwright");
            browser.screenshot(page[1]);
        }
        // A service token made here is shown once.
        browser.driver.get(base + "/service-tokens");
        browser.driver.findElement(By.cssSelector("#token-form input[name=name]")).sendKeys("web-host");
        browser.driver.findElement(By.cssSelector("#token-form input[name=managedCertificates]")).sendKeys("web");
        browser.driver.findElement(By.cssSelector("#token-form button")).click();
        String token = text("#token-value");
        assertThat(token).startsWith("cw_");
        assertThat(app.get("/api/v1/managed-certificates/web/bundle", token).status()).isEqualTo(200);
        browser.driver.get(base + "/service-tokens");
        assertThat(browser.driver.getPageSource()).doesNotContain(token);
        // Its detail page shows what it did: the key delivery just made.
        browser.driver.findElement(By.linkText("web-host")).click();
        browser.awaitUrl("/service-tokens/web-host");
        assertThat(text("#token-activity")).contains("managed-certificate.bundle-delivered").contains("web");
        assertThat(text("#token-history")).contains("service-token.created").contains("admin");
        assertThat(browser.driver.getPageSource()).doesNotContain(token);
        browser.screenshot("service-token");
        // Jobs: run now.
        browser.driver.get(base + "/jobs");
        assertThat(column("jobs", 0)).contains("renewal/renewal-scan", "deploy/deployments");
    }

    /**
     * The issuers page, reached from the navigation by a VIEWER: a rollover made over the API shows the new generation
     * standing by, its switch time, and the line between both generations. The switch is a day ahead, so issuance in the
     * other tests stays on dev-issuing.
     */
    @Test
    void aViewerSeesTheIssuersGenerationsAndTheSwitchTime() throws Exception {
        Instant switchAt = Instant.now().plus(Duration.ofDays(1)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        Response rolled = app.postJson("/api/v1/issuers/dev-issuing/rollover", admin, Map.of("switchAt", switchAt.toString()));
        assertThat(rolled.status()).as(rolled.toString()).isEqualTo(201);
        String successor = rolled.json().get("name").asString();
        assertThat(successor).isEqualTo("dev-issuing-g2");
        browser.signIn(base, "victor", VIEWER_PASSWORD);
        browser.driver.findElement(By.linkText("Issuers")).click();
        browser.awaitUrl("/issuers");
        WebElement row = browser.driver.findElement(By.id("issuer-" + successor));
        List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
        assertThat(cells.subList(0, 4)).containsExactly(successor, "dev-issuing", "2", "STANDBY");
        assertThat(cells.get(6)).isEqualTo("dev-root");
        assertThat(cells.get(8)).isEqualTo("dev-issuing");
        assertThat(row.findElement(By.cssSelector("td.switch-at")).getText())
                .isEqualTo(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'").withZone(java.time.ZoneOffset.UTC).format(switchAt));
        List<String> predecessor = browser.driver.findElement(By.id("issuer-dev-issuing")).findElements(By.tagName("td")).stream()
                .map(WebElement::getText).toList();
        assertThat(predecessor.get(3)).isEqualTo("ACTIVE");
        assertThat(predecessor.get(9)).isEqualTo(successor);
        assertThat(column("issuers", 0)).contains("dev-root", "dev-issuing", successor);
        browser.screenshot("issuers");
    }

    @Test
    void signOutWorksAndAnIdleSessionEnds() throws Exception {
        browser.signIn(base, "admin", ADMIN_PASSWORD);
        browser.driver.findElement(By.cssSelector("header .who button")).click();
        browser.awaitUrl("/login");
        assertThat(browser.driver.getCurrentUrl()).contains("/login?logout");
        browser.driver.get(base + "/certificates");
        assertThat(browser.driver.getCurrentUrl()).contains("/login");
        browser.signIn(base, "victor", VIEWER_PASSWORD);
        assertThat(browser.driver.getCurrentUrl()).isEqualTo(base + "/");
        browser.driver.get(base + "/certificates");
        assertThat(browser.driver.getCurrentUrl()).as("the new session works").isEqualTo(base + "/certificates");
        // The session signed in before the tests, idle since: past certwright.session.idle-timeout=PT20S (and the container's
        // whole-second rounding) it is gone. Only the clock is watched here; asking the server would restart the idle time.
        Instant ended = idleSince.plus(Duration.ofSeconds(23));
        await("the idle session's timeout").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).until(() -> Instant.now().isAfter(ended));
        Response afterIdle = idle.get("/certificates");
        assertThat(afterIdle.status()).isEqualTo(302);
        assertThat(DashboardSession.location(afterIdle)).contains("/login");
    }
}
