package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.DashboardSession;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The role matrix of issue 19: every route the running jar serves, read from its own handler mappings
 * ({@code /actuator/mappings}, exposed for this test only) plus the routes that servlet filters serve, is requested by
 * each caller (anonymous, VIEWER, OPERATOR, ADMIN, SERVICE) through the real security filter chains, and the outcome
 * must be the one {@link #ROUTES} gives. A served route missing from the table, a table row the jar does not serve, and
 * a servlet filter this test does not know all fail the test: a new endpoint cannot ship without its row.
 */
class RoleMatrixIT {

    static final String ADMIN_PASSWORD = "matrix-admin-" + java.util.UUID.randomUUID();
    static final String PASSWORD = "matrix-password-" + java.util.UUID.randomUUID().toString().substring(0, 8);

    /** The callers, in the order of each row's outcomes. */
    static final List<String> CALLERS = List.of("anonymous", "VIEWER", "OPERATOR", "ADMIN", "SERVICE");

    // Outcomes: ok = the request passed authorization (no 401/403, no redirect to sign in, no 5xx); 401, 403; login = a
    // redirect to the sign-in page; signin-failed / signed-out = what the sign-in and sign-out filters answer.
    static final String PUBLIC = "ok ok ok ok ok";
    static final String API_VIEWER = "401 ok ok ok 403";
    static final String API_OPERATOR = "401 403 ok ok 403";
    static final String API_ADMIN = "401 403 403 ok 403";
    static final String API_SERVICE = "401 403 403 403 ok";
    static final String PAGE_VIEWER = "login ok ok ok login";
    static final String PAGE_OPERATOR = "login 403 ok ok login";
    static final String PAGE_ADMIN = "login 403 403 ok login";
    static final String PAGE_DENIED = "login 403 403 403 login";

    /** THE table: "METHOD pattern" (as the handler mappings name it; * for any method) to the outcome per caller. */
    static final Map<String, String> ROUTES = new LinkedHashMap<>();

    static {
        // Relying parties: CA certificates, CRLs, OCSP (a servlet filter), the OpenAPI description.
        ROUTES.put("GET /ca/{issuer}.pem", PUBLIC);
        ROUTES.put("GET /ca/{issuer}.crt", PUBLIC);
        ROUTES.put("GET /crl/{name}.crl", PUBLIC);
        ROUTES.put("GET /ocsp", PUBLIC);
        ROUTES.put("POST /ocsp", PUBLIC);
        ROUTES.put("GET /v3/api-docs", PUBLIC);
        ROUTES.put("GET /v3/api-docs.yaml", PUBLIC);
        // ACME: every request is authenticated by its JWS (RFC 8555 §6.2), not by the chains.
        // Public by nature: an upstream ACME CA fetches our http-01 answers without credentials (RFC 8555 §8.3, decision 76).
        ROUTES.put("GET /.well-known/acme-challenge/{token}", PUBLIC);
        ROUTES.put("GET /acme/directory", PUBLIC);
        ROUTES.put("HEAD /acme/new-nonce", PUBLIC);
        ROUTES.put("GET /acme/new-nonce", PUBLIC);
        ROUTES.put("GET /acme/renewal-info/{certId}", PUBLIC);
        ROUTES.put("POST /acme/new-account", PUBLIC);
        ROUTES.put("POST /acme/new-order", PUBLIC);
        ROUTES.put("POST /acme/acct/{id}", PUBLIC);
        ROUTES.put("POST /acme/acct/{id}/orders", PUBLIC);
        ROUTES.put("POST /acme/order/{id}", PUBLIC);
        ROUTES.put("POST /acme/order/{id}/finalize", PUBLIC);
        ROUTES.put("POST /acme/authz/{id}", PUBLIC);
        ROUTES.put("POST /acme/chall/{id}", PUBLIC);
        ROUTES.put("POST /acme/cert/{orderId}", PUBLIC);
        ROUTES.put("POST /acme/cert/{orderId}/alternate/{n}", PUBLIC);
        ROUTES.put("POST /acme/revoke-cert", PUBLIC);
        ROUTES.put("POST /acme/key-change", PUBLIC);
        // Actuator: health for load balancers, the rest for admins.
        ROUTES.put("GET /actuator/health", PUBLIC);
        ROUTES.put("GET /actuator/health/**", PUBLIC);
        ROUTES.put("GET /actuator", API_ADMIN);
        ROUTES.put("GET /actuator/info", API_ADMIN);
        ROUTES.put("GET /actuator/prometheus", API_ADMIN);
        ROUTES.put("GET /actuator/mappings", API_ADMIN);
        // The API.
        ROUTES.put("GET /api/v1/issuers", API_VIEWER);
        ROUTES.put("GET /api/v1/issuers/{name}", API_VIEWER);
        ROUTES.put("GET /api/v1/issuers/{name}/csr", API_ADMIN);
        ROUTES.put("PUT /api/v1/issuers/{name}/certificate", API_ADMIN);
        ROUTES.put("POST /api/v1/issuers/{name}/rollover", API_ADMIN);
        ROUTES.put("POST /api/v1/ca-config/reload", API_ADMIN);
        ROUTES.put("GET /api/v1/certificates", API_VIEWER);
        ROUTES.put("GET /api/v1/certificates/{serial}", API_VIEWER);
        ROUTES.put("POST /api/v1/certificates", API_OPERATOR);
        ROUTES.put("POST /api/v1/certificates/import", API_OPERATOR);
        ROUTES.put("POST /api/v1/imports", API_OPERATOR);
        ROUTES.put("POST /api/v1/certificates/{serial}/revoke", API_OPERATOR);
        ROUTES.put("POST /api/v1/certificates/{serial}/unrevoke", API_OPERATOR);
        ROUTES.put("GET /api/v1/managed-certificates/{name}", API_VIEWER);
        ROUTES.put("POST /api/v1/managed-certificates", API_OPERATOR);
        ROUTES.put("POST /api/v1/managed-certificates/{name}/revoke", API_OPERATOR);
        // A service renews only its own slot and only over mTLS: with its token it is refused (by the controller).
        ROUTES.put("POST /api/v1/managed-certificates/{name}/renew", API_OPERATOR);
        ROUTES.put("GET /api/v1/managed-certificates/{name}/bundle", API_SERVICE);
        ROUTES.put("GET /api/v1/managed-certificates/{name}/deployments", API_VIEWER);
        ROUTES.put("POST /api/v1/managed-certificates/{name}/deploy", API_OPERATOR);
        ROUTES.put("PUT /api/v1/managed-certificates/{name}/targets", API_ADMIN);
        ROUTES.put("GET /api/v1/deploy/targets", API_VIEWER);
        ROUTES.put("GET /api/v1/deploy/targets/{name}", API_VIEWER);
        ROUTES.put("GET /api/v1/deploy/ssh-key", API_VIEWER);
        ROUTES.put("POST /api/v1/deploy/targets", API_ADMIN);
        ROUTES.put("PUT /api/v1/deploy/targets/{name}", API_ADMIN);
        ROUTES.put("DELETE /api/v1/deploy/targets/{name}", API_ADMIN);
        ROUTES.put("GET /api/v1/audit-log", API_OPERATOR);
        ROUTES.put("GET /api/v1/audit-log/verify", API_OPERATOR);
        // The whole database, encrypted: ADMIN only (the test's {} body is refused with 400 after the role check).
        ROUTES.put("POST /api/v1/backups", API_ADMIN);
        ROUTES.put("GET /api/v1/api-tokens", API_ADMIN);
        ROUTES.put("POST /api/v1/api-tokens", API_ADMIN);
        ROUTES.put("DELETE /api/v1/api-tokens/{name}", API_ADMIN);
        ROUTES.put("GET /api/v1/role-bindings", API_ADMIN);
        ROUTES.put("POST /api/v1/role-bindings", API_ADMIN);
        ROUTES.put("GET /api/v1/role-bindings/{id}", API_ADMIN);
        ROUTES.put("DELETE /api/v1/role-bindings/{id}", API_ADMIN);
        ROUTES.put("GET /api/v1/service-tokens", API_ADMIN);
        ROUTES.put("POST /api/v1/service-tokens", API_ADMIN);
        ROUTES.put("DELETE /api/v1/service-tokens/{name}", API_ADMIN);
        ROUTES.put("GET /api/v1/owners/{owner}/contacts", API_VIEWER);
        ROUTES.put("PUT /api/v1/owners/{owner}/contacts", API_OPERATOR);
        ROUTES.put("POST /api/v1/acme/renewal-info/advance", API_ADMIN);
        ROUTES.put("GET /api/v1/acme/eab-keys", API_ADMIN);
        ROUTES.put("POST /api/v1/acme/eab-keys", API_ADMIN);
        ROUTES.put("DELETE /api/v1/acme/eab-keys/{kid}", API_ADMIN);
        ROUTES.put("GET /api/v1/kek", API_ADMIN);
        ROUTES.put("POST /api/v1/kek/rotate", API_ADMIN);
        // Network discovery (decision 75): scans reach into the network, so ADMIN only; owners of what they found: OPERATOR.
        ROUTES.put("GET /api/v1/discovery/scans", API_ADMIN);
        ROUTES.put("POST /api/v1/discovery/scans", API_ADMIN);
        ROUTES.put("GET /api/v1/discovery/scans/{name}", API_ADMIN);
        ROUTES.put("PUT /api/v1/discovery/scans/{name}", API_ADMIN);
        ROUTES.put("DELETE /api/v1/discovery/scans/{name}", API_ADMIN);
        ROUTES.put("POST /api/v1/discovery/scans/{name}/run", API_ADMIN);
        ROUTES.put("GET /api/v1/discovery/scans/{name}/runs", API_ADMIN);
        ROUTES.put("GET /api/v1/discovery/scans/{name}/runs/{id}", API_ADMIN);
        ROUTES.put("POST /api/v1/discovery/owners", API_OPERATOR);
        // The dashboard. Sign-in and sign-out are served by Spring Security's filters.
        ROUTES.put("GET /login", PUBLIC);
        ROUTES.put("POST /login", "signin-failed signin-failed signin-failed signin-failed signin-failed");
        ROUTES.put("POST /logout", "signed-out signed-out signed-out signed-out signed-out");
        ROUTES.put("* /**", PUBLIC); // static files: /css/app.css
        ROUTES.put("* /webjars/**", PAGE_DENIED);
        ROUTES.put("* /error", PAGE_DENIED); // only Tomcat's error dispatch reaches it
        ROUTES.put("GET /", PAGE_VIEWER);
        ROUTES.put("GET /certificates", PAGE_VIEWER);
        ROUTES.put("GET /certificates.csv", PAGE_VIEWER);
        ROUTES.put("GET /certificates/{id}", PAGE_VIEWER);
        ROUTES.put("GET /certificates/{id}/pem", PAGE_VIEWER);
        ROUTES.put("GET /certificates/{id}/revoke", PAGE_OPERATOR);
        ROUTES.put("POST /certificates/{id}/revoke", PAGE_OPERATOR);
        ROUTES.put("GET /managed", PAGE_VIEWER);
        ROUTES.put("GET /managed/{name}", PAGE_VIEWER);
        ROUTES.put("GET /managed/new", PAGE_OPERATOR);
        ROUTES.put("POST /managed/new", PAGE_OPERATOR);
        ROUTES.put("GET /discovery", PAGE_ADMIN);
        ROUTES.put("POST /discovery/{name}/run", PAGE_ADMIN);
        ROUTES.put("GET /imports", PAGE_OPERATOR);
        ROUTES.put("POST /imports", PAGE_OPERATOR);
        ROUTES.put("POST /managed/{name}/renew", PAGE_OPERATOR);
        ROUTES.put("POST /managed/{name}/deploy", PAGE_OPERATOR);
        ROUTES.put("POST /managed/{name}/targets", PAGE_ADMIN);
        ROUTES.put("GET /targets", PAGE_VIEWER);
        ROUTES.put("GET /targets/{name}", PAGE_VIEWER);
        ROUTES.put("GET /issuers", PAGE_VIEWER);
        ROUTES.put("GET /targets/new", PAGE_ADMIN);
        ROUTES.put("POST /targets/new", PAGE_ADMIN);
        ROUTES.put("GET /targets/{name}/edit", PAGE_ADMIN);
        ROUTES.put("POST /targets/{name}/edit", PAGE_ADMIN);
        ROUTES.put("GET /acme-accounts", PAGE_VIEWER);
        ROUTES.put("GET /acme-accounts/{id}", PAGE_VIEWER);
        ROUTES.put("GET /service-tokens", PAGE_VIEWER);
        ROUTES.put("GET /service-tokens/{name}", PAGE_VIEWER);
        ROUTES.put("POST /service-tokens", PAGE_ADMIN);
        ROUTES.put("POST /service-tokens/{name}/revoke", PAGE_ADMIN);
        ROUTES.put("GET /jobs", PAGE_VIEWER);
        ROUTES.put("POST /jobs/{group}/{name}/run", PAGE_OPERATOR);
        ROUTES.put("GET /audit", PAGE_OPERATOR);
        ROUTES.put("GET /users", PAGE_ADMIN);
        ROUTES.put("POST /users", PAGE_ADMIN);
        ROUTES.put("POST /users/{username}/enabled", PAGE_ADMIN);
        ROUTES.put("POST /users/{username}/role", PAGE_ADMIN);
        ROUTES.put("POST /users/{username}/password", PAGE_ADMIN);
        ROUTES.put("POST /users/role-bindings", PAGE_ADMIN);
        ROUTES.put("POST /users/role-bindings/{id}/delete", PAGE_ADMIN);
    }

    /** Routes that servlet filters answer themselves (handler mappings do not list them). */
    static final Set<String> FILTER_ROUTES = Set.of("GET /ocsp", "POST /ocsp", "POST /login", "POST /logout");

    /** Every servlet filter, and what it serves: a new filter may serve routes this table lacks. */
    static final Map<String, String> KNOWN_FILTERS = Map.ofEntries(
            Map.entry("ocspEndpoint", "GET /ocsp, POST /ocsp"),
            Map.entry("springSecurityFilterChain", "POST /login, POST /logout"),
            Map.entry("requestContextFilter", "no route"), Map.entry("webMvcObservationFilter", "no route"),
            Map.entry("requestSizeFilter", "no route"), Map.entry("Tomcat WebSocket (JSR356) Filter", "no route"),
            Map.entry("acmeResponseHeaders", "no route"), Map.entry("characterEncodingFilter", "no route"),
            Map.entry("formContentFilter", "no route"), Map.entry("plainHttpConnector.PlainHttpPathFilter", "no route (the plain listener)"));

    /** What each path variable is filled with: a managed certificate the service token may read, else names that do not exist. */
    static final Map<String, String> VARIABLES = Map.ofEntries(Map.entry("name", "matrix-slot"), Map.entry("issuer", "dev-issuing"),
            Map.entry("id", "999999"), Map.entry("orderId", "999999"), Map.entry("serial", "01"), Map.entry("owner", "matrix-owner"),
            Map.entry("kid", "matrix-no-kid"), Map.entry("group", "matrix-group"), Map.entry("certId", "AAAA.AAAA"),
            Map.entry("username", "matrix-nobody"), Map.entry("n", "1"));
    /** A sample path for the patterns with wildcards. */
    static final Map<String, String> SAMPLES = Map.of("/actuator/health/**", "/actuator/health/liveness", "/**", "/css/app.css",
            "/webjars/**", "/webjars/matrix.js");

    static Path work;
    static CertwrightProcess app;
    static final Map<String, String> tokens = new TreeMap<>();
    static final Map<String, DashboardSession> sessions = new TreeMap<>();

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("certwright-matrix-");
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), TestDatabase.h2())
                .env("CERTWRIGHT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                // This test reads the handler mappings from the running jar; production does not expose them.
                .arg("--management.endpoints.web.exposure.include=health,info,prometheus,mappings"));
        String admin = app.adminToken();
        assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "matrix-slot", "profile", "tls-server",
                "dnsNames", List.of("matrix-slot.test"), "owner", "matrix")).status()).isEqualTo(201);
        for (String role : List.of("VIEWER", "OPERATOR", "ADMIN")) {
            Response token = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "matrix-" + role.toLowerCase(), "role", role));
            assertThat(token.status()).as(token.toString()).isEqualTo(201);
            tokens.put(role, token.json().get("token").asString());
        }
        Response service = app.postJson("/api/v1/service-tokens", admin, Map.of("name", "matrix-service", "managedCertificates", List.of("matrix-slot")));
        assertThat(service.status()).as(service.toString()).isEqualTo(201);
        tokens.put("SERVICE", service.json().get("token").asString());

        DashboardSession adminSession = DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD);
        sessions.put("ADMIN", adminSession);
        for (String role : List.of("VIEWER", "OPERATOR")) {
            Response created = adminSession.postForm("/users", Map.of("username", "matrix-" + role.toLowerCase(), "password", PASSWORD, "role", role));
            assertThat(created.status()).as(created.toString()).isEqualTo(302);
            sessions.put(role, DashboardSession.signedIn(app, "matrix-" + role.toLowerCase(), PASSWORD));
        }
        sessions.put("anonymous", DashboardSession.anonymous(app));
        sessions.put("SERVICE", DashboardSession.anonymous(app)); // a service has no dashboard user: only its token
    }

    @AfterAll
    static void stop() {
        CertwrightProcess.stopAll(app, TestDatabase.h2(), work);
    }

    /** The routes the jar serves, as "METHOD pattern", from its handler mappings, plus those served by known filters. */
    static Set<String> servedRoutes() {
        Response mappings = app.get("/actuator/mappings", tokens.get("ADMIN"));
        assertThat(mappings.status()).as(mappings.toString()).isEqualTo(200);
        JsonNode context = mappings.json().get("contexts").values().iterator().next().get("mappings");
        Set<String> routes = new TreeSet<>();
        for (JsonNode servlet : context.get("dispatcherServlets")) {
            for (JsonNode handler : servlet) {
                JsonNode conditions = handler.path("details").path("requestMappingConditions");
                if (conditions.isMissingNode() || conditions.isNull()) {
                    routes.add("* " + handler.get("predicate").asString());
                    continue;
                }
                List<String> methods = new ArrayList<>();
                conditions.get("methods").forEach(m -> methods.add(m.asString()));
                if (methods.isEmpty()) {
                    methods.add("*");
                }
                for (JsonNode pattern : conditions.get("patterns")) {
                    methods.forEach(m -> routes.add(m + " " + pattern.asString()));
                }
            }
        }
        Set<String> filters = new TreeSet<>();
        context.get("servletFilters").forEach(f -> filters.add(f.get("name").asString()));
        assertThat(filters).as("a servlet filter this test does not know may serve routes: add them to ROUTES and the filter to KNOWN_FILTERS")
                .isEqualTo(KNOWN_FILTERS.keySet());
        routes.addAll(FILTER_ROUTES);
        return routes;
    }

    @Test
    void everyServedRouteAnswersEachCallerAsTheTableSays() {
        Set<String> served = servedRoutes();
        assertThat(served).as("routes served without a row in ROUTES").isSubsetOf(ROUTES.keySet());
        assertThat(ROUTES.keySet()).as("rows of ROUTES that the jar does not serve").isSubsetOf(served);

        // Reads first (a write may change what a later read finds), sign-in and sign-out last (they end sessions).
        List<String> order = new ArrayList<>(ROUTES.keySet());
        order.sort(Comparator.comparingInt(RoleMatrixIT::rank));
        List<String> wrong = new ArrayList<>();
        int requests = 0;
        for (String route : order) {
            String[] expected = ROUTES.get(route).split(" ");
            for (int i = 0; i < CALLERS.size(); i++) {
                String caller = CALLERS.get(i);
                Response answer = request(route, caller);
                requests++;
                String outcome = outcome(answer, expected[i]);
                if (!outcome.equals(expected[i])) {
                    wrong.add(route + " as " + caller + ": expected " + expected[i] + ", got " + outcome + " (" + answer.status() + " "
                            + DashboardSession.location(answer) + ")");
                }
            }
        }
        assertThat(wrong).as("outcomes that differ from the table").isEmpty();
        assertThat(requests).isEqualTo(ROUTES.size() * CALLERS.size());
    }

    static int rank(String route) {
        if (route.equals("POST /logout")) {
            return 4;
        }
        if (route.equals("POST /login")) {
            return 3;
        }
        String method = route.substring(0, route.indexOf(' '));
        return method.equals("GET") || method.equals("HEAD") || method.equals("*") ? 0 : route.contains("/revoke") ? 2 : 1;
    }

    /** Classifies an answer; for "ok" any status but 401, 403, 5xx and a redirect to sign in. */
    static String outcome(Response answer, String expected) {
        String location = DashboardSession.location(answer);
        if (answer.status() == 401) {
            return "401";
        }
        if (answer.status() == 403) {
            return "403";
        }
        if (answer.status() >= 500) {
            return "5xx";
        }
        if (answer.status() == 302 && location.endsWith("/login?error")) {
            return "signin-failed";
        }
        if (answer.status() == 302 && location.endsWith("/login?logout")) {
            return "signed-out";
        }
        if (answer.status() / 100 == 3 && (location.endsWith("/login") || location.contains("/login?"))) {
            return "login";
        }
        return "ok";
    }

    static final Pattern VARIABLE = Pattern.compile("\\{([A-Za-z]+)}");

    /** One request for a route by a caller: the caller's session (with its CSRF token on a form post) and its bearer token. */
    static Response request(String route, String caller) {
        String method = route.substring(0, route.indexOf(' '));
        String pattern = route.substring(route.indexOf(' ') + 1);
        String path = SAMPLES.getOrDefault(pattern, pattern);
        Matcher m = VARIABLE.matcher(path);
        StringBuilder filled = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(filled, VARIABLES.getOrDefault(m.group(1), "matrix-" + m.group(1)));
        }
        m.appendTail(filled);
        path = filled.toString();
        if (method.equals("*")) {
            method = "GET";
        }
        DashboardSession session = sessions.get(caller);
        String bearer = tokens.get(caller);
        boolean api = path.startsWith("/api/") || path.startsWith("/actuator");
        boolean acme = path.startsWith("/acme/");
        if (method.equals("POST") && route.equals("POST /login")) {
            return session.postForm("/login", Map.of("username", "matrix-guess-" + caller.toLowerCase(), "password", "not the password"));
        }
        if (method.equals("GET") || method.equals("HEAD") || method.equals("DELETE")) {
            return session.send(method, path, null, null, bearer);
        }
        if (api) {
            return session.send(method, path, "application/json", "{}", bearer);
        }
        if (acme) {
            return session.send(method, path, "application/jose+json", "{}", bearer);
        }
        if (path.equals("/ocsp")) {
            return session.send(method, path, "application/ocsp-request", "not DER", bearer);
        }
        // A dashboard form: with the session's CSRF token, so that only the role decides.
        String body = "_csrf=" + java.net.URLEncoder.encode(session.csrf(), java.nio.charset.StandardCharsets.UTF_8);
        return session.send(method, path, "application/x-www-form-urlencoded", body, bearer);
    }
}
