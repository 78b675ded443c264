package dev.certwright.support;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.certwright.support.CertwrightProcess.Response;

/**
 * A browser's dashboard session without the browser: a cookie jar, the CSRF token of the session's forms, form posts,
 * and no redirects followed (so a test sees the 302 to the sign-in page). It can leave from another loopback address
 * (127.0.0.2, ...) to stand for another client.
 */
public final class DashboardSession {

    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");

    private final CertwrightProcess app;
    private final HttpClient client;

    private DashboardSession(CertwrightProcess app, InetAddress from) {
        this.app = app;
        HttpClient.Builder builder = HttpClient.newBuilder().sslContext(CertwrightProcess.trustingRoot(app.root()))
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL)).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(5));
        if (from != null) {
            builder.localAddress(from);
        }
        this.client = builder.build();
    }

    /** A session that has not signed in, from 127.0.0.1. */
    public static DashboardSession anonymous(CertwrightProcess app) {
        return new DashboardSession(app, null);
    }

    /** A session that has not signed in, from the given local address. */
    public static DashboardSession from(CertwrightProcess app, String localAddress) {
        try {
            return new DashboardSession(app, InetAddress.getByName(localAddress));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Signs in and asserts that it worked (a redirect away from the sign-in page). */
    public static DashboardSession signedIn(CertwrightProcess app, String user, String password) {
        DashboardSession session = anonymous(app);
        Response answer = session.signIn(user, password);
        String location = answer.headers().getOrDefault("location", java.util.List.of("")).get(0);
        if (answer.status() != 302 || location.contains("/login")) {
            throw new AssertionError("sign-in of " + user + " failed: " + answer.status() + " " + location);
        }
        return session;
    }

    /** Posts the sign-in form, as the browser does; the answer is returned as it is. */
    public Response signIn(String user, String password) {
        return postForm("/login", Map.of("username", user, "password", password));
    }

    /**
     * The CSRF token of this session, as its forms carry it: from the sign-in page before sign-in, from the overview's
     * sign-out form after (a signed-in session is sent away from the sign-in page).
     */
    public String csrf() {
        for (String path : new String[] {"/login", "/"}) {
            Matcher m = CSRF.matcher(get(path).body());
            if (m.find()) {
                return m.group(1);
            }
        }
        throw new AssertionError("no CSRF token on /login or /");
    }

    public Response get(String path) {
        return send(HttpRequest.newBuilder(app.https(path)).GET(), null);
    }

    /** Posts a form with this session's CSRF token. */
    public Response postForm(String path, Map<String, String> fields) {
        Map<String, String> all = new LinkedHashMap<>(fields);
        all.put("_csrf", csrf());
        return postFormRaw(path, all);
    }

    /** Posts a form as given (the caller adds a CSRF token, or leaves it out). */
    public Response postFormRaw(String path, Map<String, String> fields) {
        String body = fields.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        return send(HttpRequest.newBuilder(app.https(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/x-www-form-urlencoded"), null);
    }

    /** Any request in this session, with an optional bearer token besides the cookie. */
    public Response send(String method, String path, String contentType, String body, String bearer) {
        HttpRequest.Builder request = HttpRequest.newBuilder(app.https(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        return send(request, bearer);
    }

    private Response send(HttpRequest.Builder request, String bearer) {
        request.timeout(Duration.ofSeconds(30));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body(),
                    response.headers().map());
        } catch (IOException e) {
            throw new AssertionError("dashboard request failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Where a redirect points, or "" for no redirect. */
    public static String location(Response response) {
        return response.headers().getOrDefault("location", java.util.List.of("")).get(0);
    }
}
