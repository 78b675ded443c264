package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import javax.security.auth.x500.X500Principal;

import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.Json;
import dev.certwright.support.RawHttp;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * The bad-input corpus (issue 19 §4): several hundred bad requests, generated at run time, against every surface of the
 * packaged application: the REST API, ACME with real JWS, OCSP, CRLs and CA certificates, the dashboard's forms with a
 * session and CSRF token, and requests that only Tomcat sees. Each must be refused with a 4xx problem document
 * (RFC 9457; {@code urn:ietf:params:acme:error:*} under /acme; an OCSP error response at /ocsp, RFC 6960 §2.3; an
 * error page with the status on the dashboard, a browser surface) and must change nothing: the row count of every table
 * that no background job writes, and the audit log's length and chain heads, are the same before and after, checked
 * around each request on a database the test can read while the application runs (PostgreSQL). A summary of failures
 * by endpoint is printed at the end (target/failsafe-reports/*-output.txt) and written to target/bad-input-corpus-*.txt.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BadInputCorpus {

    /** Where a request goes, which decides what a correct refusal looks like. */
    enum Surface {
        API, ACME, OCSP, PLAIN, DASHBOARD
    }

    /** One bad request. The body is made when it is sent, so that a JWS can carry a fresh nonce. */
    record Case(String endpoint, String name, Surface surface, String method, String target, List<String> headers, Supplier<byte[]> body) {
    }

    /**
     * Tables that background jobs or every request write by design, whose row counts say nothing about the request:
     * nonces (RFC 8555 §6.5: every ACME answer, a refusal too, carries a fresh one), rate-limit buckets, the scheduler's,
     * job runs, pre-signed OCSP responses, CRLs, inventory snapshots, and the notices the expiry and failure scans send.
     */
    static final Set<String> VOLATILE = Set.of("acme_nonce", "acme_nonce_redeemed", "acme_rate_limit", "job_run", "ocsp_response",
            "ocsp_presign_state", "crl", "inventory_snapshot", "notice", "notice_scan", "flyway_schema_history");
    static final Pattern LEAK = Pattern.compile("Exception|\\tat |org\\.springframework\\.|dev\\.certwright\\.|java\\.lang\\.|SQL");
    static final String JSON = "application/json";

    Path work;
    TestDatabase database;
    CertwrightProcess app;
    RawHttp https;
    RawHttp plain;
    String admin;
    String serial;
    String csrPem;
    String foreignPem;
    byte[] ocspRequest;
    ECKey accountKey;
    String kid;
    String orderUrl;
    String finalizeUrl;
    String authzUrl;
    String challengeUrl;
    String cookie;
    String csrf;
    State last;
    final List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());

    abstract TestDatabase database();

    /** Whether the database can be read while the application runs; H2's file is the application's alone. */
    boolean readsState() {
        return !(database instanceof TestDatabase.H2);
    }

    @BeforeAll
    void start() throws Exception {
        work = Files.createTempDirectory("certwright-corpus-");
        database = database();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database));
        admin = app.adminToken();
        https = new RawHttp("localhost", app.httpsPort(), CertwrightProcess.trustingRoot(app.root()));
        plain = new RawHttp("127.0.0.1", app.httpPort(), null);

        // Fixtures the bad requests aim at: an issued certificate, a managed one, an ACME account with a pending order,
        // a dashboard session. They are made before the first snapshot.
        KeyPair leafKeys = ec();
        csrPem = csr(leafKeys, "corpus.test");
        // Through RawHttp: its 30-second socket timeout rides out a loaded machine, where the JDK client's connect timeout did not.
        RawHttp.Reply issued = apiPost("/api/v1/certificates", Map.of("csr", csrPem, "profile", "tls-server", "owner", "corpus"));
        assertThat(issued.status()).as(issued.text()).isEqualTo(201);
        serial = Json.parse(issued.text()).get("serial").asString();
        RawHttp.Reply managed = apiPost("/api/v1/managed-certificates", Map.of("name", "corpus-managed", "profile", "tls-server",
                "dnsNames", List.of("managed.test"), "owner", "corpus"));
        assertThat(managed.status()).as(managed.text()).isEqualTo(201);
        foreignPem = selfSigned(ec(), "CN=Foreign Corpus CA");
        ocspRequest = ocspRequest(Json.parse(issued.text()).get("certificatePem").asString());

        accountKey = new ECKeyGenerator(Curve.P_256).generate();
        RawHttp.Reply account = acme("/new-account", jws(accountKey, null, acmeUrl("/new-account"), nonce(), "{\"termsOfServiceAgreed\":true}"));
        assertThat(account.status()).as(account.text()).isEqualTo(201);
        kid = account.header("location");
        RawHttp.Reply order = acme("/new-order", jws(accountKey, kid, acmeUrl("/new-order"), nonce(),
                "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"order.test\"}]}"));
        assertThat(order.status()).as(order.text()).isEqualTo(201);
        orderUrl = order.header("location");
        JsonNode orderBody = Json.parse(order.text());
        finalizeUrl = orderBody.get("finalize").asString();
        authzUrl = orderBody.get("authorizations").get(0).asString();
        RawHttp.Reply authz = acme(path(authzUrl), jws(accountKey, kid, authzUrl, nonce(), ""));
        challengeUrl = Json.parse(authz.text()).get("challenges").get(0).get("url").asString();

        signIn();
        // Startup work that writes (OCSP responders, the first CRLs) is done once both answer.
        assertThat(plain.send("GET", "/crl/dev-issuing.crl", List.of(), null).status()).isEqualTo(200);
        assertThat(new OCSPResp(plain.send("POST", "/ocsp", List.of("Content-Type", "application/ocsp-request"), ocspRequest).body())
                .getStatus()).isZero();
        last = readsState() ? state() : null;
    }

    RawHttp.Reply apiPost(String path, Object body) {
        return https.send("POST", path, List.of("Authorization", "Bearer " + admin, "Content-Type", JSON, "Accept", JSON), bytes(Json.write(body)));
    }

    @AfterAll
    void stop() throws Exception {
        String summary = summary();
        System.out.println(summary);
        Files.writeString(CertwrightProcess.PROJECT.resolve("target/bad-input-corpus-" + getClass().getSimpleName() + ".txt"), summary);
        if (stateConnection != null) {
            stateConnection.close();
        }
        CertwrightProcess.stopAll(app, database, work);
    }

    @TestFactory
    Stream<DynamicTest> everyBadRequestIsRefusedAndChangesNothing() {
        List<Case> cases = cases();
        assertThat(cases).as("the corpus").hasSizeGreaterThanOrEqualTo(300);
        return cases.stream().map(c -> dynamicTest(c.endpoint() + " · " + c.name(), () -> run(c)));
    }

    // --- running one case ---

    record Outcome(Case request, int status, String contentType, List<String> failures) {
    }

    void run(Case c) throws Exception {
        State before = last;
        RawHttp.Reply reply = (c.surface() == Surface.OCSP || c.surface() == Surface.PLAIN ? plain : https)
                .send(c.method(), c.target(), c.headers(), c.body() == null ? null : c.body().get());
        List<String> failures = new ArrayList<>(judge(c, reply));
        if (readsState()) {
            State after = state();
            failures.addAll(before.differences(after, this));
            last = after;
        }
        outcomes.add(new Outcome(c, reply.status(), reply.contentType(), failures));
        assertThat(failures).as(c.method() + " " + abbreviate(c.target()) + " answered " + reply.status() + " " + reply.contentType() + ": "
                + abbreviate(reply.text())).isEmpty();
    }

    /** What a correct refusal looks like on each surface. */
    List<String> judge(Case c, RawHttp.Reply reply) {
        List<String> failures = new ArrayList<>();
        String type = reply.contentType().toLowerCase(Locale.ROOT);
        String text = reply.text();
        if (reply.status() >= 500) {
            failures.add("5xx");
        }
        Matcher leak = LEAK.matcher(text);
        if (leak.find()) {
            failures.add("internal details in the body: '" + abbreviate(text.substring(Math.max(0, leak.start() - 40),
                    Math.min(text.length(), leak.end() + 40))) + "'");
        }
        if (c.surface() == Surface.OCSP && type.startsWith("application/ocsp-response")) {
            // RFC 6960 §2.3: a request that does not parse, or that we cannot answer, gets an unsigned error response.
            try {
                int status = new OCSPResp(reply.body()).getStatus();
                if (status != 1 && status != 5 && status != 6) {
                    failures.add("OCSP status " + status + " (expected malformedRequest, sigRequired or unauthorized)");
                }
            } catch (Exception e) {
                failures.add("unparseable OCSP response");
            }
            return failures;
        }
        if (reply.status() < 400 || reply.status() >= 500) {
            if (reply.status() < 500) {
                failures.add(reply.status() < 300 ? "2xx" : "3xx");
            }
            return failures;
        }
        if (c.surface() == Surface.DASHBOARD) {
            if (!type.startsWith("text/html") && !type.startsWith("application/problem+json")) {
                failures.add("not an error page or problem+json: '" + type + "'");
            }
            return failures;
        }
        if (!type.startsWith("application/problem+json")) {
            failures.add(type.isEmpty() ? "no Content-Type" : "not problem+json: " + type.split(";")[0]);
            return failures;
        }
        try {
            JsonNode problem = Json.parse(text);
            if (c.surface() == Surface.ACME && !problem.path("type").asString("").startsWith("urn:ietf:params:acme:error:")) {
                failures.add("no ACME problem type: " + problem.path("type").asString(""));
            }
        } catch (RuntimeException e) {
            failures.add("problem+json that is not JSON");
        }
        return failures;
    }

    // --- state ---

    /** Row counts of the tables no job writes, and the audit log's length, chain heads and last id. */
    record State(Map<String, Long> counts, long auditCount, String auditHeads, long lastAuditId) {

        List<String> differences(State after, BadInputCorpus test) throws Exception {
            List<String> out = new ArrayList<>();
            counts.forEach((table, count) -> {
                Long now = after.counts.get(table);
                if (!count.equals(now)) {
                    out.add("table " + table + " " + count + " → " + now);
                }
            });
            if (auditCount != after.auditCount || !auditHeads.equals(after.auditHeads)) {
                out.add("audit log " + auditCount + " → " + after.auditCount + " entries " + test.auditSince(lastAuditId));
            }
            return out;
        }
    }

    /** One connection for all the reads of state: a PostgreSQL connection costs a backend and a SCRAM exchange. */
    private Connection stateConnection;

    State state() throws Exception {
        if (stateConnection == null || stateConnection.isClosed()) {
            stateConnection = database.connect();
        }
        try (Statement s = stateConnection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    + " AND table_type = 'BASE TABLE' ORDER BY table_name")) {
                while (r.next()) {
                    String table = r.getString(1).toLowerCase(Locale.ROOT);
                    if (!VOLATILE.contains(table) && !table.startsWith("qrtz_")) {
                        tables.add(table);
                    }
                }
            }
            // Every count in one statement (one snapshot, one round trip).
            Map<String, Long> counts = new TreeMap<>();
            try (ResultSet r = s.executeQuery("SELECT " + String.join(", ", tables.stream().map(t -> "(SELECT count(*) FROM " + t + ")").toList()))) {
                r.next();
                for (int i = 0; i < tables.size(); i++) {
                    counts.put(tables.get(i), r.getLong(i + 1));
                }
            }
            String heads;
            try (ResultSet r = s.executeQuery("SELECT string_agg(chain || ':' || last_hash, ',' ORDER BY chain) FROM audit_head")) {
                r.next();
                heads = r.getString(1);
            }
            long lastId;
            try (ResultSet r = s.executeQuery("SELECT coalesce(max(id), 0) FROM audit_log")) {
                r.next();
                lastId = r.getLong(1);
            }
            return new State(counts, counts.getOrDefault("audit_log", 0L), heads, lastId);
        }
    }

    /** The audit entries after an id, as actor/action, to tell the request's from a background job's. */
    String auditSince(long id) throws Exception {
        try (Connection c = database.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT actor, action FROM audit_log WHERE id > " + id + " ORDER BY id")) {
            List<String> entries = new ArrayList<>();
            while (r.next()) {
                entries.add(r.getString(1) + "/" + r.getString(2));
            }
            return entries.toString();
        }
    }

    // --- the corpus ---

    List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        jsonEndpoints().forEach(e -> cases.addAll(e.mutations()));
        cases.addAll(apiWithoutBody());
        cases.addAll(acmeCases());
        cases.addAll(ocspCases());
        cases.addAll(plainCases());
        cases.addAll(dashboardCases());
        cases.addAll(containerCases());
        cases.addAll(importCases());
        return cases;
    }

    /**
     * The bulk import (decision 74): uploads that hold no readable certificate, archives past their bounds, a wrong
     * PKCS#12 password, a slot that does not exist, the form's own mistakes. Each is 400 or 413 and records nothing.
     */
    List<Case> importCases() {
        String endpoint = "POST /api/v1/imports";
        String boundary = "corpus-import-boundary";
        java.util.function.BiFunction<String, byte[], Case> upload = (name, file) -> new Case(endpoint, name, Surface.API, "POST", "/api/v1/imports",
                List.of("Authorization", "Bearer " + admin, "Content-Type", "multipart/form-data; boundary=" + boundary, "Accept", JSON),
                () -> multipartFile(boundary, name, file, Map.of()));
        List<Case> out = new ArrayList<>();
        byte[] der = Base64.getMimeDecoder().decode(foreignPem.replaceAll("-----[A-Z ]+-----", ""));
        out.add(upload.apply("truncated.der", java.util.Arrays.copyOf(der, der.length / 2)));
        out.add(upload.apply("garbage.bin", bytes("no certificate in here")));
        out.add(upload.apply("empty-pem.pem", bytes("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n")));
        out.add(upload.apply("only-a-csr.pem", bytes(csrPem)));
        out.add(upload.apply("zip-in-zip.zip", zipOf("inner.zip", zipOf("a.pem", bytes(foreignPem)))));
        out.add(upload.apply("traversal.zip", zipOf("../../etc/a.pem", bytes(foreignPem))));
        out.add(upload.apply("zip-bomb.zip", zipOf("zeros.pem", new byte[32 * 1024 * 1024])));
        out.add(upload.apply("gzip-bomb.pem.gz", gzipOf(new byte[32 * 1024 * 1024])));
        out.add(upload.apply("cut.tar.gz", java.util.Arrays.copyOf(gzipOf(new byte[4096]), 20)));
        out.add(upload.apply("wrong-password.p12", pkcs12Of(foreignPem)));
        out.add(new Case(endpoint, "unknown slot", Surface.API, "POST", "/api/v1/imports",
                List.of("Authorization", "Bearer " + admin, "Content-Type", "multipart/form-data; boundary=" + boundary, "Accept", JSON),
                () -> multipartFile(boundary, "a.pem", bytes(foreignPem), Map.of("manage", "true", "slot", "no-such-slot"))));
        out.add(new Case(endpoint, "slot without manage", Surface.API, "POST", "/api/v1/imports",
                List.of("Authorization", "Bearer " + admin, "Content-Type", "multipart/form-data; boundary=" + boundary, "Accept", JSON),
                () -> multipartFile(boundary, "a.pem", bytes(foreignPem), Map.of("slot", "corpus-managed"))));
        out.add(new Case(endpoint, "no file part", Surface.API, "POST", "/api/v1/imports",
                List.of("Authorization", "Bearer " + admin, "Content-Type", "multipart/form-data; boundary=" + boundary, "Accept", JSON),
                () -> bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"owner\"\r\n\r\nx\r\n--" + boundary + "--\r\n")));
        return out;
    }

    static byte[] multipartFile(String boundary, String fileName, byte[] file, Map<String, String> fields) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + fileName
                + "\"\r\nContent-Type: application/octet-stream\r\n\r\n"));
        body.writeBytes(file);
        body.writeBytes(bytes("\r\n"));
        fields.forEach((k, v) -> body.writeBytes(bytes("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + k + "\"\r\n\r\n" + v + "\r\n")));
        body.writeBytes(bytes("--" + boundary + "--\r\n"));
        return body.toByteArray();
    }

    static byte[] zipOf(String entry, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var zip = new java.util.zip.ZipOutputStream(out)) {
            zip.putNextEntry(new java.util.zip.ZipEntry(entry));
            zip.write(content);
            zip.closeEntry();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    static byte[] gzipOf(byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (var gzip = new java.util.zip.GZIPOutputStream(out)) {
            gzip.write(content);
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** A PKCS#12 holding only a certificate, under a password the request does not give (no key in it, none committed). */
    static byte[] pkcs12Of(String certificatePem) {
        try {
            java.security.KeyStore store = java.security.KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("c", java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(new java.io.ByteArrayInputStream(bytes(certificatePem))));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.store(out, "the-right-password".toCharArray());
            return out.toByteArray();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * A JSON endpoint of the REST API with a body that would be accepted, the fields that are required, and values each
     * field must refuse. Only mutations are sent, never the base.
     */
    final class JsonEndpoint {
        final String label;
        final String method;
        final String path;
        final Map<String, Object> base;
        final List<String> required;
        final Map<String, List<Object>> bad = new LinkedHashMap<>();

        JsonEndpoint(String method, String path, Map<String, Object> base, List<String> required) {
            this.label = method + " " + path.replace(serial, "{serial}");
            this.method = method;
            this.path = path;
            this.base = base;
            this.required = required;
        }

        JsonEndpoint bad(String field, Object... values) {
            bad.put(field, List.of(values));
            return this;
        }

        Case send(String name, String contentType, byte[] body, String token) {
            List<String> headers = new ArrayList<>();
            if (token != null) {
                headers.addAll(List.of("Authorization", token));
            }
            if (contentType != null) {
                headers.addAll(List.of("Content-Type", contentType));
            }
            headers.addAll(List.of("Accept", "application/json"));
            return new Case(label, name, Surface.API, method, path, headers, () -> body);
        }

        Case json(String name, Object body) {
            return send(name, JSON, bytes(body instanceof String s ? s : Json.write(body)), "Bearer " + admin);
        }

        List<Case> mutations() {
            List<Case> out = new ArrayList<>();
            String valid = Json.write(base);
            // The body as a whole.
            out.add(json("not JSON", "csr=abc&owner=x"));
            out.add(json("empty body", ""));
            out.add(json("a JSON array", "[]"));
            out.add(json("a JSON string", "\"x\""));
            out.add(json("JSON null", "null"));
            out.add(json("truncated JSON", valid.substring(0, valid.length() - 3)));
            out.add(json("nested 100,000 deep", "[".repeat(100_000) + "]".repeat(100_000)));
            out.add(json("nested objects in a field", withField(first(), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000))));
            out.add(json("a 3 MB string", withField(first(), "\"" + "A".repeat(3 * 1024 * 1024) + "\"")));
            out.add(json("unknown field", withField("unexpectedField", "true")));
            out.add(json("duplicate key of another type", valid.substring(0, valid.length() - 1) + ",\"" + first() + "\":{\"x\":1}}"));
            out.add(send("invalid UTF-8", JSON, invalidUtf8(valid), "Bearer " + admin));
            out.add(send("Content-Type text/plain", "text/plain", bytes(valid), "Bearer " + admin));
            out.add(send("Content-Type application/xml", "application/xml", bytes("<a/>"), "Bearer " + admin));
            out.add(send("form-urlencoded", "application/x-www-form-urlencoded", bytes("a=b"), "Bearer " + admin));
            out.add(send("no Content-Type", null, bytes(valid), "Bearer " + admin));
            // Who asks.
            out.add(send("no token", JSON, bytes(valid), null));
            out.add(send("unknown token", JSON, bytes(valid), "Bearer cw_" + "0".repeat(40)));
            out.add(send("Basic credentials", JSON, bytes(valid), "Basic " + Base64.getEncoder().encodeToString(bytes("admin:admin"))));
            out.add(send("empty bearer", JSON, bytes(valid), "Bearer "));
            out.add(send("token with %00", JSON, bytes(valid), "Bearer abc%00def"));
            // Field by field.
            for (String field : required) {
                Map<String, Object> without = new LinkedHashMap<>(base);
                without.remove(field);
                out.add(json("missing " + field, without));
                out.add(json(field + " null", withField(field, "null")));
            }
            for (String field : base.keySet()) {
                Object value = base.get(field);
                if (value instanceof List) {
                    out.add(json(field + " a string instead of a list", withField(field, "\"x\"")));
                    out.add(json(field + " a list of lists", withField(field, "[[\"x\"]]")));
                } else if (value instanceof Map) {
                    out.add(json(field + " a string instead of an object", withField(field, "\"x\"")));
                } else if (value instanceof Number) {
                    out.add(json(field + " a word instead of a number", withField(field, "\"abc\"")));
                    out.add(json(field + " a fraction", withField(field, "1.5")));
                    out.add(json(field + " past Long", withField(field, "99999999999999999999999")));
                } else {
                    out.add(json(field + " an object instead of a string", withField(field, "{\"x\":1}")));
                    out.add(json(field + " a list instead of a string", withField(field, "[\"x\"]")));
                }
            }
            bad.forEach((field, values) -> {
                for (Object value : values) {
                    String name = value instanceof Named n ? n.name() : abbreviate(String.valueOf(value));
                    Object v = value instanceof Named n ? n.value() : value;
                    out.add(json(field + " = " + name, withField(field, Json.write(v))));
                }
            });
            return out;
        }

        private String first() {
            return required.isEmpty() ? base.keySet().iterator().next() : required.get(0);
        }

        /** The base body with one field's JSON text replaced (or added). */
        String withField(String field, String jsonValue) {
            StringBuilder out = new StringBuilder("{");
            boolean replaced = false;
            for (var entry : base.entrySet()) {
                if (out.length() > 1) {
                    out.append(',');
                }
                out.append(Json.write(entry.getKey())).append(':');
                if (entry.getKey().equals(field)) {
                    out.append(jsonValue);
                    replaced = true;
                } else {
                    out.append(Json.write(entry.getValue()));
                }
            }
            if (!replaced) {
                out.append(out.length() > 1 ? "," : "").append(Json.write(field)).append(':').append(jsonValue);
            }
            return out.append('}').toString();
        }
    }

    /** A bad value with a name for the report. */
    record Named(String name, Object value) {
    }

    List<JsonEndpoint> jsonEndpoints() {
        String longLabel = "x".repeat(300);
        List<Object> badOwners = List.of("", "a".repeat(256), "nul\u0000owner", "line\nbreak", "<script>alert(1)</script>\u0007");
        List<Object> badDurations = List.of("soon", "-P30D", "P999999999D", "PT0S", "P1Y2M");
        List<JsonEndpoint> endpoints = new ArrayList<>();
        endpoints.add(new JsonEndpoint("POST", "/api/v1/certificates", ordered("csr", csrPem, "profile", "tls-server", "owner", "corpus",
                "tags", List.of("corpus"), "validity", "P30D"), List.of("csr", "profile", "owner"))
                .bad("csr", "not a CSR", new Named("PEM of bad base64", "-----BEGIN CERTIFICATE REQUEST-----\n!!!!\n-----END CERTIFICATE REQUEST-----\n"),
                        new Named("a certificate", foreignPem), new Named("label PUBLIC KEY", csrPem.replace("CERTIFICATE REQUEST", "PUBLIC KEY")),
                        new Named("two CSRs", csrPem + csrPem), new Named("4,000 nested SEQUENCEs", pem("CERTIFICATE REQUEST", nested(4000))),
                        new Named("length past the end", pem("CERTIFICATE REQUEST", new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff})),
                        new Named("key on secp256k1", csr(secp256k1(), "k1.test")), new Named("name outside the policy", csr(ec(), "evil.example.com")),
                        new Named("70,000 characters", "A".repeat(70_000)))
                .bad("profile", "no-such-profile", "../../etc/passwd", "tls-server\u0000", longLabel)
                .bad("owner", badOwners.toArray())
                .bad("tags", List.of("bad tag with spaces"), List.of("x".repeat(65)), IntStream.range(0, 1000).mapToObj(i -> "t" + i).toList())
                .bad("validity", badDurations.toArray()));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/certificates/import", ordered("pem", foreignPem, "owner", "corpus", "tags",
                List.of("corpus")), List.of("pem", "owner"))
                .bad("pem", "garbage", new Named("a CSR", csrPem), new Named("bad base64", "-----BEGIN CERTIFICATE-----\n%%%%\n-----END CERTIFICATE-----\n"),
                        new Named("4,000 nested SEQUENCEs", pem("CERTIFICATE", nested(4000))), new Named("70,000 characters", "A".repeat(70_000)),
                        new Named("11 certificates", foreignPem.repeat(11)), new Named("a chain of unrelated certificates",
                                foreignPem + selfSigned(ec(), "CN=Other")))
                .bad("owner", badOwners.toArray())
                .bad("tags", List.of("bad tag"), List.of("")));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/managed-certificates", ordered("name", "corpus-new", "profile", "tls-server",
                "dnsNames", List.of("new.test"), "owner", "corpus", "keyAlgorithm", "EC-P256", "validity", "P30D"),
                List.of("name", "profile", "owner"))
                .bad("name", "", "../etc", "corpus-managed", longLabel, "a/b", "%00")
                .bad("profile", "no-such-profile")
                .bad("dnsNames", List.of("not a name!"), List.of("evil.example.com"), List.of("*.*.test"), List.of(""),
                        IntStream.range(0, 101).mapToObj(i -> "n" + i + ".test").toList(), List.of("a".repeat(254)))
                .bad("ipAddresses", List.of("999.1.1.1"), List.of("::g"), List.of("8.8.8.8/32"))
                .bad("keyAlgorithm", "EC-P999", "RSA-1024", "none", "DSA-2048")
                .bad("keyMode", "hsm", "")
                .bad("targets", List.of("no-such-target"), List.of("../../etc"))
                .bad("owner", badOwners.toArray())
                .bad("validity", badDurations.toArray())
                .bad("renewBefore", "soon", "-P1D"));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/certificates/" + serial + "/revoke", ordered("reason", "superseded"), List.of())
                .bad("reason", "notAReason", "removeFromCRL", "x".repeat(33), 42, "KEY_COMPROMISE\u0000"));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/managed-certificates/corpus-managed/revoke", ordered("reason", "superseded"),
                List.of()).bad("reason", "notAReason", "removeFromCRL", 7));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/api-tokens", ordered("name", "corpus-token", "role", "VIEWER", "expiresIn", "P1D"),
                List.of("name", "role"))
                .bad("name", "Bad Name", "../x", "a".repeat(65), "")
                .bad("role", "ROOT", "", "VIEWER; DROP TABLE api_token")
                .bad("expiresIn", "soon", "-P1D", "P999999999D"));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/role-bindings", ordered("group", "corpus-group", "role", "VIEWER", "owners", List.of("*")),
                List.of("group", "role"))
                .bad("group", "", "x".repeat(256), "a\u0000b")
                .bad("role", "ROOT", "SERVICE", "")
                .bad("owners", List.of(), List.of("team-web"), "*", List.of("*", "team-web")));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/service-tokens", ordered("name", "corpus-svc", "managedCertificates",
                List.of("corpus-managed"), "expiresIn", "P1D"), List.of("name", "managedCertificates"))
                .bad("name", "Bad Name", "a".repeat(65))
                .bad("managedCertificates", List.of(), List.of("no-such-managed"), List.of("../x"))
                .bad("expiresIn", "soon", "-P1D", "P999999999D"));
        endpoints.add(new JsonEndpoint("PUT", "/api/v1/owners/corpus/contacts", ordered("emails", List.of("ops@corpus.test"), "webhooks",
                List.of()), List.of())
                .bad("emails", IntStream.range(0, 21).mapToObj(i -> "a" + i + "@corpus.test").toList(), List.of("x".repeat(321)), List.of(""),
                        List.of("not-an-email"))
                .bad("webhooks", List.of("javascript:alert(1)"), List.of("not a url"), List.of("https://x.test/" + "a".repeat(2048)),
                        IntStream.range(0, 11).mapToObj(i -> "https://h" + i + ".test/").toList(), List.of("file:///etc/passwd")));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/acme/eab-keys", ordered("owner", "corpus", "dnsNames", List.of("eab.test"),
                "profiles", List.of("tls-server")), List.of("owner"))
                .bad("owner", "", "a".repeat(256))
                .bad("dnsNames", List.of("bad name!"), IntStream.range(0, 101).mapToObj(i -> "e" + i + ".test").toList())
                .bad("profiles", List.of("no-such-profile"), List.of("")));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/acme/renewal-info/advance", ordered("issuer", "dev-issuing", "serials",
                List.of(serial)), List.of())
                .bad("issuer", "no-such-issuer", "../x", "a".repeat(65))
                .bad("serials", List.of("zz"), List.of("-1"), List.of("a".repeat(65)))
                .bad("issuedBefore", "yesterday", "2026-13-45T00:00:00Z"));
        Map<String, Object> target = ordered("name", "corpus-target", "kind", "files", "host", "127.0.0.1", "port", 22, "user", "deploy",
                "hostKeySha256", "SHA256:" + "A".repeat(43), "paths", Map.of("certificatePath", "/tmp/corpus/cert.pem", "keyPath",
                        "/tmp/corpus/key.pem"));
        endpoints.add(new JsonEndpoint("POST", "/api/v1/deploy/targets", target, List.of("name", "kind", "host", "user", "hostKeySha256"))
                .bad("name", "../x", "Bad Name", "a".repeat(65))
                .bad("kind", "ftp", "")
                .bad("host", "a b", "-oProxyCommand=sh", "a".repeat(300))
                .bad("port", -1, 0, 70000)
                .bad("user", "root;id", "-oProxyCommand=sh", "")
                .bad("hostKeySha256", "md5:abc", "SHA256:")
                .bad("paths", Map.of("certificatePath", "relative/cert.pem"), Map.of("certificatePath", "/tmp/../etc/shadow"),
                        Map.of("certificatePath", "/tmp/a\u0000b"))
                .bad("fileMode", "999", "abc", "07777")
                .bad("fileUid", -5)
                .bad("webroot", "relative/www", "/var/www/../etc", "/var/w\nww", "/var/www/", "", Map.of("path", "/var/www")));
        endpoints.add(new JsonEndpoint("PUT", "/api/v1/deploy/targets/no-such-target", target, List.of("kind", "host"))
                .bad("port", 70000));
        endpoints.add(new JsonEndpoint("PUT", "/api/v1/managed-certificates/corpus-managed/targets", ordered("targets",
                List.of("no-such-target")), List.of())
                .bad("targets", List.of("../../etc/passwd"), List.of("")));
        return endpoints;
    }

    /** API requests without a JSON body: bad path variables, bad query parameters, unknown names. */
    List<Case> apiWithoutBody() {
        List<Case> out = new ArrayList<>();
        List<String> badSerials = List.of("zz", "-1", "0", "..%2F..%2Fetc%2Fpasswd", "%00", "a".repeat(1000), "f".repeat(40), "%E2%80%AE");
        for (String s : badSerials) {
            out.add(api("GET /api/v1/certificates/{serial}", "serial " + abbreviate(s), "GET", "/api/v1/certificates/" + s));
            out.add(api("POST /api/v1/certificates/{serial}/revoke", "serial " + abbreviate(s), "POST", "/api/v1/certificates/" + s + "/revoke",
                    "{\"reason\":\"superseded\"}"));
            out.add(api("POST /api/v1/certificates/{serial}/unrevoke", "serial " + abbreviate(s), "POST",
                    "/api/v1/certificates/" + s + "/unrevoke"));
        }
        for (String name : List.of("no-such", "..%2F..%2Fetc", "%00", "a".repeat(300), "corpus-managed%2F..%2Fx")) {
            String n = abbreviate(name);
            out.add(api("GET /api/v1/managed-certificates/{name}", n, "GET", "/api/v1/managed-certificates/" + name));
            out.add(api("POST /api/v1/managed-certificates/{name}/renew", n, "POST", "/api/v1/managed-certificates/" + name + "/renew"));
            out.add(api("POST /api/v1/managed-certificates/{name}/deploy", n, "POST", "/api/v1/managed-certificates/" + name + "/deploy"));
            out.add(api("GET /api/v1/managed-certificates/{name}/bundle", n, "GET", "/api/v1/managed-certificates/" + name + "/bundle"));
            out.add(api("GET /api/v1/managed-certificates/{name}/deployments", n, "GET",
                    "/api/v1/managed-certificates/" + name + "/deployments"));
            out.add(api("DELETE /api/v1/api-tokens/{name}", n, "DELETE", "/api/v1/api-tokens/" + name));
            out.add(api("DELETE /api/v1/service-tokens/{name}", n, "DELETE", "/api/v1/service-tokens/" + name));
            out.add(api("DELETE /api/v1/acme/eab-keys/{kid}", n, "DELETE", "/api/v1/acme/eab-keys/" + name));
            out.add(api("DELETE /api/v1/deploy/targets/{name}", n, "DELETE", "/api/v1/deploy/targets/" + name));
            out.add(api("GET /api/v1/deploy/targets/{name}", n, "GET", "/api/v1/deploy/targets/" + name));
        }
        for (String query : List.of("page=-1", "size=-5", "size=100000", "size=abc", "page=99999999999", "status=BOGUS", "sort=password",
                "sort=-createdAt%3BDROP", "expiringWithin=soon", "expiringWithin=-P1D", "source=NOWHERE")) {
            out.add(api("GET /api/v1/certificates", query.length() > 40 ? query.substring(0, 40) + "…" : query, "GET",
                    "/api/v1/certificates?" + query));
        }
        for (String query : List.of("page=-1", "size=0", "size=100000", "page=abc")) {
            out.add(api("GET /api/v1/audit-log", query, "GET", "/api/v1/audit-log?" + query));
        }
        // The issuer registry (issue 21): unknown and hostile names, bodies that are not a chain, a chain for an issuer
        // that has one, and a reload with a bad flag.
        for (String name : List.of("no-such", "..%2F..%2Fetc", "%00", "a".repeat(300), "dev-issuing%2F..%2Fx")) {
            String n = abbreviate(name);
            out.add(api("GET /api/v1/issuers/{name}", n, "GET", "/api/v1/issuers/" + name));
            out.add(api("GET /api/v1/issuers/{name}/csr", n, "GET", "/api/v1/issuers/" + name + "/csr"));
            out.add(pem("PUT /api/v1/issuers/{name}/certificate", n, "/api/v1/issuers/" + name + "/certificate", foreignPem));
        }
        out.add(api("GET /api/v1/issuers/{name}/csr", "an issuer that has its certificate", "GET", "/api/v1/issuers/dev-issuing/csr"));
        for (var body : java.util.Map.of("not PEM", "hello", "empty", "", "bad base64", "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n",
                "a key, not a chain", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "200 certificates", foreignPem.repeat(200),
                "a chain for an issuer that has one", foreignPem).entrySet()) {
            out.add(pem("PUT /api/v1/issuers/{name}/certificate", body.getKey(), "/api/v1/issuers/dev-issuing/certificate", body.getValue()));
        }
        for (String query : List.of("dryRun=abc", "dryRun=%00", "dryRun=" + "t".repeat(500))) {
            out.add(api("POST /api/v1/ca-config/reload", abbreviate(query), "POST", "/api/v1/ca-config/reload?" + query));
        }
        out.add(api("GET /api/v1/owners/{owner}/contacts", "owner %00", "GET", "/api/v1/owners/%00/contacts"));
        out.add(api("GET /api/v1/owners/{owner}/contacts", "owner 300 chars", "GET", "/api/v1/owners/" + "o".repeat(300) + "/contacts"));
        out.add(api("GET /api/v1/nothing-here", "unknown path", "GET", "/api/v1/nothing-here"));
        out.add(api("DELETE /api/v1/certificates", "method not allowed", "DELETE", "/api/v1/certificates"));
        out.add(api("PATCH /api/v1/issuers", "method not allowed", "PATCH", "/api/v1/issuers"));
        return out;
    }

    Case api(String endpoint, String name, String method, String target) {
        return new Case(endpoint, name, Surface.API, method, target, List.of("Authorization", "Bearer " + admin, "Accept", JSON), null);
    }

    /** A PUT of a PEM body, as an offline CA's answer is installed. */
    Case pem(String endpoint, String name, String target, String body) {
        return new Case(endpoint, name, Surface.API, "PUT", target,
                List.of("Authorization", "Bearer " + admin, "Accept", JSON, "Content-Type", "application/pem-certificate-chain"), () -> bytes(body));
    }

    Case api(String endpoint, String name, String method, String target, String json) {
        return new Case(endpoint, name, Surface.API, method, target,
                List.of("Authorization", "Bearer " + admin, "Accept", JSON, "Content-Type", JSON), () -> bytes(json));
    }

    // --- ACME ---

    List<Case> acmeCases() {
        List<Case> out = new ArrayList<>();
        String newAccount = acmeUrl("/new-account");
        String tos = "{\"termsOfServiceAgreed\":true}";
        // The body and its media type (RFC 8555 §6.2).
        out.add(acmeRaw("/new-account", "not JSON", "application/jose+json", () -> bytes("hello")));
        out.add(acmeRaw("/new-account", "empty body", "application/jose+json", () -> new byte[0]));
        out.add(acmeRaw("/new-account", "a JSON array", "application/jose+json", () -> bytes("[]")));
        out.add(acmeRaw("/new-account", "nested 100,000 deep", "application/jose+json", () -> bytes("[".repeat(100_000) + "]".repeat(100_000))));
        out.add(acmeRaw("/new-account", "Content-Type application/json", JSON, () -> bytes(jws(newKey(), null, newAccount, nonce(), tos))));
        out.add(acmeRaw("/new-account", "no Content-Type", null, () -> bytes(jws(newKey(), null, newAccount, nonce(), tos))));
        out.add(acmeRaw("/new-account", "compact serialization", "application/jose+json", () -> bytes(compact(newKey(), newAccount, tos))));
        out.add(acmeRaw("/new-account", "no signature member", "application/jose+json",
                () -> bytes(without(jws(newKey(), null, newAccount, nonce(), tos), "signature"))));
        out.add(acmeRaw("/new-account", "unprotected header", "application/jose+json",
                () -> bytes(with(jws(newKey(), null, newAccount, nonce(), tos), "header", "{\"kid\":\"x\"}"))));
        out.add(acmeRaw("/new-account", "general serialization", "application/jose+json",
                () -> bytes(with(jws(newKey(), null, newAccount, nonce(), tos), "signatures", "[]"))));
        out.add(acmeRaw("/new-account", "protected not base64url", "application/jose+json",
                () -> bytes(replace(jws(newKey(), null, newAccount, nonce(), tos), "protected", "!!!***"))));
        out.add(acmeRaw("/new-account", "payload not base64url", "application/jose+json",
                () -> bytes(replace(jws(newKey(), null, newAccount, nonce(), tos), "payload", "%%%"))));
        out.add(acmeRaw("/new-account", "signature not base64url", "application/jose+json",
                () -> bytes(replace(jws(newKey(), null, newAccount, nonce(), tos), "signature", "***"))));
        out.add(acmeRaw("/new-account", "signature of another message", "application/jose+json",
                () -> bytes(replace(jws(newKey(), null, newAccount, nonce(), tos), "signature",
                        field(jws(newKey(), null, newAccount, nonce(), "{}"), "signature")))));
        out.add(acmeRaw("/new-account", "protected header not JSON", "application/jose+json",
                () -> bytes(replace(jws(newKey(), null, newAccount, nonce(), tos), "protected", b64("{\"alg\":")))));
        out.add(acmeRaw("/new-account", "protected header nested 5,000 deep", "application/jose+json",
                () -> bytes(replace(jws(newKey(), null, newAccount, nonce(), tos), "protected",
                        b64("{\"alg\":\"ES256\",\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}")))));
        out.add(acmeRaw("/new-account", "alg none", "application/jose+json", () -> bytes(unsigned("none", newKey(), newAccount, nonce(), tos))));
        out.add(acmeRaw("/new-account", "alg HS256", "application/jose+json", () -> bytes(unsigned("HS256", newKey(), newAccount, nonce(), tos))));
        out.add(acmeRaw("/new-account", "alg RS256 with an EC key", "application/jose+json",
                () -> bytes(unsigned("RS256", newKey(), newAccount, nonce(), tos))));
        out.add(acmeRaw("/new-account", "no url", "application/jose+json", () -> bytes(jws(newKey(), null, null, nonce(), tos))));
        out.add(acmeRaw("/new-account", "url of another resource", "application/jose+json",
                () -> bytes(jws(newKey(), null, acmeUrl("/new-order"), nonce(), tos))));
        out.add(acmeRaw("/new-account", "url with another host", "application/jose+json",
                () -> bytes(jws(newKey(), null, "https://evil.test/acme/new-account", nonce(), tos))));
        out.add(acmeRaw("/new-account", "no nonce", "application/jose+json", () -> bytes(jws(newKey(), null, newAccount, null, tos))));
        out.add(acmeRaw("/new-account", "unknown nonce", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, "AAAAAAAAAAAAAAAAAAAAAA", tos))));
        out.add(acmeRaw("/new-account", "nonce of 10,000 characters", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, "A".repeat(10_000), tos))));
        out.add(acmeRaw("/new-account", "both jwk and kid", "application/jose+json", () -> bytes(jwsBoth(newKey(), newAccount, tos))));
        out.add(acmeRaw("/new-account", "kid instead of jwk", "application/jose+json", () -> bytes(jws(accountKey, kid, newAccount, nonce(), tos))));
        out.add(acmeRaw("/new-account", "private key in jwk", "application/jose+json", () -> bytes(jwsPrivate(newKey(), newAccount, tos))));
        out.add(acmeRaw("/new-account", "payload a JSON array", "application/jose+json", () -> bytes(jws(newKey(), null, newAccount, nonce(), "[]"))));
        out.add(acmeRaw("/new-account", "payload not JSON", "application/jose+json", () -> bytes(jws(newKey(), null, newAccount, nonce(), "tos!"))));
        out.add(acmeRaw("/new-account", "payload nested 100,000 deep", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}"))));
        out.add(acmeRaw("/new-account", "contact tel:", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"termsOfServiceAgreed\":true,\"contact\":[\"tel:+1555\"]}"))));
        out.add(acmeRaw("/new-account", "contact not a list", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"termsOfServiceAgreed\":true,\"contact\":42}"))));
        out.add(acmeRaw("/new-account", "contact mailto with two addresses", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:a@b.test,c@d.test\"]}"))));
        out.add(acmeRaw("/new-account", "contact of 100,000 characters", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"termsOfServiceAgreed\":true,\"contact\":[\"mailto:"
                        + "a".repeat(100_000) + "@b.test\"]}"))));
        out.add(acmeRaw("/new-account", "termsOfServiceAgreed a string", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"termsOfServiceAgreed\":\"yes\"}"))));
        out.add(acmeRaw("/new-account", "onlyReturnExisting for a new key", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"onlyReturnExisting\":true}"))));
        out.add(acmeRaw("/new-account", "externalAccountBinding garbage", "application/jose+json",
                () -> bytes(jws(newKey(), null, newAccount, nonce(), "{\"termsOfServiceAgreed\":true,\"externalAccountBinding\":{\"protected\":\"x\"}}"))));
        // newOrder (RFC 8555 §7.4), signed by the account.
        String newOrder = "/new-order";
        for (String[] payload : new String[][] {
                {"no identifiers", "{}"},
                {"empty identifiers", "{\"identifiers\":[]}"},
                {"identifiers not a list", "{\"identifiers\":\"x.test\"}"},
                {"identifier of type email", "{\"identifiers\":[{\"type\":\"email\",\"value\":\"a@b.test\"}]}"},
                {"ip identifier that is a name", "{\"identifiers\":[{\"type\":\"ip\",\"value\":\"not-an-ip\"}]}"},
                {"name outside the policy", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"evil.example.com\"}]}"},
                {"double wildcard", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"*.*.test\"}]}"},
                {"name of 300 characters", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"" + "a".repeat(300) + ".test\"}]}"},
                {"name with NUL", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a\\u0000.test\"}]}"},
                {"name with path traversal", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"../../etc/passwd\"}]}"},
                {"identifier value a number", "{\"identifiers\":[{\"type\":\"dns\",\"value\":42}]}"},
                {"identifier without type", "{\"identifiers\":[{\"value\":\"x.test\"}]}"},
                {"1,000 identifiers", "{\"identifiers\":[" + String.join(",", IntStream.range(0, 1000)
                        .mapToObj(i -> "{\"type\":\"dns\",\"value\":\"n" + i + ".test\"}").toList()) + "]}"},
                {"notBefore garbage", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}],\"notBefore\":\"yesterday\"}"},
                {"notAfter before notBefore", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}],\"notBefore\":\"2030-01-02T00:00:00Z\","
                        + "\"notAfter\":\"2030-01-01T00:00:00Z\"}"},
                {"replaces garbage", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}],\"replaces\":\"!!.??\"}"},
                {"profile unknown", "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}],\"profile\":\"no-such-profile\"}"}}) {
            out.add(acmeSigned(newOrder, payload[0], acmeUrl(newOrder), payload[1], true));
        }
        out.add(acmeRaw(newOrder, "unknown account", "application/jose+json",
                () -> bytes(jws(accountKey, acmeUrl("/acct/999999"), acmeUrl(newOrder), nonce(), "{\"identifiers\":[]}"))));
        out.add(acmeRaw(newOrder, "kid not a URL", "application/jose+json",
                () -> bytes(jws(accountKey, "abc", acmeUrl(newOrder), nonce(), "{\"identifiers\":[]}"))));
        out.add(acmeRaw(newOrder, "signed by another key than the account's", "application/jose+json",
                () -> bytes(jws(newKey(), kid, acmeUrl(newOrder), nonce(), "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}]}"))));
        out.add(acmeRaw(newOrder, "jwk instead of kid", "application/jose+json",
                () -> bytes(jws(newKey(), null, acmeUrl(newOrder), nonce(), "{\"identifiers\":[{\"type\":\"dns\",\"value\":\"x.test\"}]}"))));
        // Resources by id: POST-as-GET (RFC 8555 §6.3) with ids that are no ids.
        for (String id : List.of("abc", "-1", "99999999999999999999", "%00", "..%2F..%2Facct%2F1", "1.5", "0x10")) {
            out.add(acmeSigned("/order/{id}", "id " + id, acmeUrl("/order/" + id), "", false));
            out.add(acmeSigned("/order/{id}/finalize", "id " + id, acmeUrl("/order/" + id + "/finalize"), "{\"csr\":\"AAAA\"}", false));
            out.add(acmeSigned("/authz/{id}", "id " + id, acmeUrl("/authz/" + id), "", false));
            out.add(acmeSigned("/chall/{id}", "id " + id, acmeUrl("/chall/" + id), "{}", false));
            out.add(acmeSigned("/cert/{id}", "id " + id, acmeUrl("/cert/" + id), "", false));
            out.add(acmeSigned("/acct/{id}/orders", "id " + id, acmeUrl("/acct/" + id + "/orders"), "", false));
        }
        out.add(acmeSigned("/order/{id}", "unknown order", acmeUrl("/order/99999999"), "", false));
        // finalize of the pending order with CSRs that are no CSRs (RFC 8555 §7.4).
        for (String[] payload : new String[][] {
                {"no csr", "{}"},
                {"csr not base64url", "{\"csr\":\"!!!\"}"},
                {"csr a number", "{\"csr\":42}"},
                {"csr as PEM", "{\"csr\":\"" + csrPem.replace("\n", "\\n") + "\"}"},
                {"csr of nested SEQUENCEs", "{\"csr\":\"" + b64(nested(4000)) + "\"}"},
                {"csr for other names", "{\"csr\":\"" + b64(der(csrPem)) + "\"}"},
                {"csr on secp256k1", "{\"csr\":\"" + b64(der(csr(secp256k1(), "order.test"))) + "\"}"}}) {
            out.add(acmeSigned("/order/{id}/finalize", payload[0], finalizeUrl, payload[1], false));
        }
        // challenges and authorizations
        out.add(acmeSigned("/chall/{id}", "payload a list", challengeUrl, "[]", false));
        out.add(acmeSigned("/authz/{id}", "status garbage", authzUrl, "{\"status\":\"valid\"}", false));
        // account updates (RFC 8555 §7.3.2, §7.3.6)
        out.add(acmeSigned("/acct/{id}", "status garbage", kid, "{\"status\":\"sleeping\"}", false));
        out.add(acmeSigned("/acct/{id}", "contact tel:", kid, "{\"contact\":[\"tel:+1555\"]}", false));
        out.add(acmeSigned("/acct/{id}", "another account's URL", acmeUrl("/acct/999999"), "{}", false));
        // revokeCert (RFC 8555 §7.6)
        for (String[] payload : new String[][] {
                {"no certificate", "{}"},
                {"certificate not base64url", "{\"certificate\":\"***\"}"},
                {"certificate garbage", "{\"certificate\":\"AAAA\"}"},
                {"certificate of nested SEQUENCEs", "{\"certificate\":\"" + b64(nested(4000)) + "\"}"},
                {"certificate not ours", "{\"certificate\":\"" + b64(der(foreignPem)) + "\"}"},
                {"reason 7 (unused)", "{\"certificate\":\"" + b64(der(foreignPem)) + "\",\"reason\":7}"},
                {"reason -1", "{\"certificate\":\"" + b64(der(foreignPem)) + "\",\"reason\":-1}"},
                {"reason a word", "{\"certificate\":\"" + b64(der(foreignPem)) + "\",\"reason\":\"x\"}"}}) {
            out.add(acmeSigned("/revoke-cert", payload[0], acmeUrl("/revoke-cert"), payload[1], false));
        }
        // keyChange (RFC 8555 §7.3.5)
        out.add(acmeSigned("/key-change", "payload not a JWS", acmeUrl("/key-change"), "{\"a\":1}", false));
        out.add(acmeSigned("/key-change", "empty payload object", acmeUrl("/key-change"), "{}", false));
        out.add(acmeRaw("/key-change", "inner JWS with a nonce and wrong url", "application/jose+json", () -> bytes(jws(accountKey, kid,
                acmeUrl("/key-change"), nonce(), jws(newKey(), null, acmeUrl("/new-order"), "n", "{\"account\":\"" + kid + "\"}")))));
        // renewalInfo (RFC 9773) and the unsigned resources
        for (String certId : List.of("!!!", "abc.def", "%00", "a".repeat(5000), "..%2F..%2Fetc")) {
            out.add(new Case("GET /acme/renewal-info/{certId}", abbreviate(certId), Surface.ACME, "GET", "/acme/renewal-info/" + certId,
                    List.of(), null));
        }
        out.add(new Case("POST /acme/directory", "method not allowed", Surface.ACME, "POST", "/acme/directory",
                List.of("Content-Type", "application/jose+json"), () -> bytes("{}")));
        out.add(new Case("DELETE /acme/new-nonce", "method not allowed", Surface.ACME, "DELETE", "/acme/new-nonce", List.of(), null));
        out.add(new Case("GET /acme/nothing", "unknown resource", Surface.ACME, "GET", "/acme/nothing", List.of(), null));
        out.add(new Case("GET /acme/new-account", "GET of a POST resource", Surface.ACME, "GET", "/acme/new-account", List.of(), null));
        return out;
    }

    Case acmeRaw(String resource, String name, String contentType, Supplier<byte[]> body) {
        List<String> headers = contentType == null ? List.of() : List.of("Content-Type", contentType);
        return new Case("POST /acme" + resource, name, Surface.ACME, "POST", "/acme" + resource.replaceAll("\\{id}", "1"), headers, body);
    }

    /** A request signed by the account (kid) or by a new key (jwk), to {@code url}, which is also where it is sent. */
    Case acmeSigned(String resource, String name, String url, String payload, boolean unused) {
        return new Case("POST /acme" + resource, name, Surface.ACME, "POST", path(url), List.of("Content-Type", "application/jose+json"),
                () -> bytes(jws(accountKey, kid, url, nonce(), payload)));
    }

    String acmeUrl(String path) {
        return "https://localhost:" + app.httpsPort() + "/acme" + path;
    }

    static String path(String url) {
        return url.replaceFirst("^https://[^/]+", "");
    }

    RawHttp.Reply acme(String pathOrResource, String body) {
        String target = pathOrResource.startsWith("/acme") ? pathOrResource : "/acme" + pathOrResource;
        return https.send("POST", target, List.of("Content-Type", "application/jose+json"), bytes(body));
    }

    String nonce() {
        RawHttp.Reply reply = https.send("HEAD", "/acme/new-nonce", List.of(), null);
        String nonce = reply.header("replay-nonce");
        assertThat(nonce).as("a fresh nonce").isNotBlank();
        return nonce;
    }

    static ECKey newKey() {
        try {
            return new ECKeyGenerator(Curve.P_256).generate();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A flattened JWS (RFC 7515 §7.2.2) signed with ES256; kid null puts the public key in jwk; null url or nonce leave it out. */
    static String jws(ECKey key, String kid, String url, String nonce, String payload) {
        try {
            JWSHeader.Builder header = new JWSHeader.Builder(JWSAlgorithm.ES256);
            if (url != null) {
                header.customParam("url", url);
            }
            if (nonce != null) {
                header.customParam("nonce", nonce);
            }
            if (kid != null) {
                header.keyID(kid);
            } else {
                header.jwk(key.toPublicJWK());
            }
            JWSObject jws = new JWSObject(header.build(), new Payload(payload));
            jws.sign(new ECDSASigner(key));
            String[] parts = jws.serialize().split("\\.", -1);
            return "{\"protected\":\"" + parts[0] + "\",\"payload\":\"" + parts[1] + "\",\"signature\":\"" + parts[2] + "\"}";
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    String jwsBoth(ECKey key, String url, String payload) {
        return signedWithHeader(key, "{\"alg\":\"ES256\",\"jwk\":" + key.toPublicJWK().toJSONString() + ",\"kid\":\"" + kid + "\",\"nonce\":\""
                + nonce() + "\",\"url\":\"" + url + "\"}", payload);
    }

    String jwsPrivate(ECKey key, String url, String payload) {
        return signedWithHeader(key, "{\"alg\":\"ES256\",\"jwk\":" + key.toJSONString() + ",\"nonce\":\"" + nonce() + "\",\"url\":\"" + url
                + "\"}", payload);
    }

    static String signedWithHeader(ECKey key, String headerJson, String payload) {
        try {
            String signingInput = b64(headerJson) + "." + b64(payload);
            java.security.Signature signature = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
            signature.initSign(key.toPrivateKey());
            signature.update(bytes(signingInput));
            return "{\"protected\":\"" + b64(headerJson) + "\",\"payload\":\"" + b64(payload) + "\",\"signature\":\""
                    + Base64.getUrlEncoder().withoutPadding().encodeToString(signature.sign()) + "\"}";
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String unsigned(String alg, ECKey key, String url, String nonce, String payload) {
        String header = "{\"alg\":\"" + alg + "\",\"jwk\":" + key.toPublicJWK().toJSONString() + ",\"nonce\":\"" + nonce + "\",\"url\":\""
                + url + "\"}";
        return "{\"protected\":\"" + b64(header) + "\",\"payload\":\"" + b64(payload) + "\",\"signature\":\"" + b64("x".repeat(32)) + "\"}";
    }

    String compact(ECKey key, String url, String payload) {
        String flattened = jws(key, null, url, nonce(), payload);
        return field(flattened, "protected") + "." + field(flattened, "payload") + "." + field(flattened, "signature");
    }

    static String field(String flattened, String name) {
        return Json.parse(flattened).get(name).asString();
    }

    static String without(String flattened, String name) {
        var node = (tools.jackson.databind.node.ObjectNode) Json.parse(flattened);
        node.remove(name);
        return node.toString();
    }

    static String with(String flattened, String name, String jsonValue) {
        return flattened.substring(0, flattened.length() - 1) + ",\"" + name + "\":" + jsonValue + "}";
    }

    static String replace(String flattened, String name, String value) {
        var node = (tools.jackson.databind.node.ObjectNode) Json.parse(flattened);
        node.put(name, value);
        return node.toString();
    }

    // --- OCSP, CRLs, CA certificates ---

    List<Case> ocspCases() {
        List<Case> out = new ArrayList<>();
        String type = "application/ocsp-request";
        out.add(ocsp("POST /ocsp", "empty body", "POST", "/ocsp", type, new byte[0]));
        out.add(ocsp("POST /ocsp", "garbage", "POST", "/ocsp", type, bytes("hello, responder")));
        out.add(ocsp("POST /ocsp", "truncated request", "POST", "/ocsp", type, java.util.Arrays.copyOf(ocspRequest, ocspRequest.length / 2)));
        out.add(ocsp("POST /ocsp", "empty SEQUENCE", "POST", "/ocsp", type, new byte[] {0x30, 0x00}));
        out.add(ocsp("POST /ocsp", "length past the end", "POST", "/ocsp", type, new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, 0x00}));
        out.add(ocsp("POST /ocsp", "4,000 nested indefinite SEQUENCEs", "POST", "/ocsp", type, nested(4000)));
        out.add(ocsp("POST /ocsp", "4,000 nested definite SEQUENCEs", "POST", "/ocsp", type, nestedDefinite(4000)));
        out.add(ocsp("POST /ocsp", "a certificate instead of a request", "POST", "/ocsp", type, der(foreignPem)));
        out.add(ocsp("POST /ocsp", "100 KB, over the limit", "POST", "/ocsp", type, new byte[100 * 1024]));
        out.add(ocsp("POST /ocsp/extra", "POST to a GET path", "POST", "/ocsp/extra", type, ocspRequest));
        out.add(ocsp("PUT /ocsp", "method not allowed", "PUT", "/ocsp", type, ocspRequest));
        // The OCSP fuzz corpus, seeds and findings, over HTTP: requests for a foreign issuer must be unauthorized.
        try (var files = Files.list(CertwrightProcess.PROJECT.resolve("src/test/resources/dev/certwright/revocation/OcspRequestFuzzTestInputs/respond"))) {
            for (Path file : files.sorted().toList()) {
                out.add(ocsp("POST /ocsp", "fuzz input " + file.getFileName(), "POST", "/ocsp", type, Files.readAllBytes(file)));
            }
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        String nestedB64 = Base64.getEncoder().encodeToString(nested(4000));
        for (String[] get : new String[][] {
                {"not base64", "!!!!"}, {"bad percent-encoding", "%zz"}, {"empty", ""}, {"base64 of garbage", "aGVsbG8="},
                {"base64 of nested SEQUENCEs", URLEncoder.encode(nestedB64, StandardCharsets.UTF_8)}, {"NUL", "%00"},
                {"path traversal", "..%2F..%2Fetc%2Fpasswd"}, {"20,000 characters", "A".repeat(20_000)}}) {
            out.add(ocsp("GET /ocsp/{request}", get[0], "GET", "/ocsp/" + get[1], null, null));
        }
        return out;
    }

    static Case ocsp(String endpoint, String name, String method, String target, String contentType, byte[] body) {
        return new Case(endpoint, name, Surface.OCSP, method, target, contentType == null ? List.of() : List.of("Content-Type", contentType),
                body == null ? null : () -> body);
    }

    List<Case> plainCases() {
        List<Case> out = new ArrayList<>();
        for (String[] c : new String[][] {
                {"GET /crl/{name}.crl", "unknown issuer", "GET", "/crl/no-such.crl"},
                {"GET /crl/{name}.crl", "path traversal", "GET", "/crl/..%2F..%2Fetc%2Fpasswd.crl"},
                {"GET /crl/{name}.crl", "NUL", "GET", "/crl/dev-issuing%00.crl"},
                {"GET /crl/{name}.crl", "300 characters", "GET", "/crl/" + "a".repeat(300) + ".crl"},
                {"GET /crl/{name}.crl", "delta of an unknown issuer", "GET", "/crl/no-such-delta.crl"},
                {"POST /crl/{name}.crl", "method not allowed", "POST", "/crl/dev-issuing.crl"},
                {"GET /ca/{issuer}.crt", "unknown issuer", "GET", "/ca/no-such.crt"},
                {"GET /ca/{issuer}.crt", "path traversal to the database", "GET", "/ca/..%2Fdb%2Fcertwright.mv.crt"},
                {"GET /ca/{issuer}.pem", "dot segments", "GET", "/ca/%2e%2e/%2e%2e/etc/passwd.pem"},
                {"GET /ca/{issuer}.pem", "NUL", "GET", "/ca/dev-root%00.pem"},
                {"DELETE /ca/{issuer}.crt", "method not allowed", "DELETE", "/ca/dev-root.crt"},
                {"GET /ca/{issuer}.der", "unknown extension", "GET", "/ca/dev-root.der"}}) {
            out.add(new Case(c[0], c[1], Surface.PLAIN, c[2], c[3], List.of(), c[2].equals("POST") ? () -> new byte[0] : null));
        }
        return out;
    }

    // --- the dashboard: form posts with a session and a CSRF token ---

    void signIn() {
        RawHttp.Reply login = https.send("GET", "/login", List.of(), null);
        String session = sessionCookie(login);
        String token = csrfToken(login.text());
        String password = app.readSecret("admin-password");
        RawHttp.Reply signedIn = https.send("POST", "/login", List.of("Cookie", session, "Content-Type", "application/x-www-form-urlencoded"),
                bytes("username=admin&password=" + URLEncoder.encode(password, StandardCharsets.UTF_8) + "&_csrf="
                        + URLEncoder.encode(token, StandardCharsets.UTF_8)));
        assertThat(signedIn.status()).as("sign-in").isEqualTo(302);
        assertThat(signedIn.header("location")).doesNotContain("error");
        cookie = signedIn.header("set-cookie") != null ? sessionCookie(signedIn) : session;
        RawHttp.Reply form = https.send("GET", "/managed/new", List.of("Cookie", cookie), null);
        assertThat(form.status()).as("the new-managed-certificate form").isEqualTo(200);
        csrf = csrfToken(form.text());
    }

    static String sessionCookie(RawHttp.Reply reply) {
        String header = reply.header("set-cookie");
        assertThat(header).as("a session cookie").isNotNull();
        return header.split(";")[0];
    }

    static String csrfToken(String html) {
        Matcher input = Pattern.compile("<input[^>]*name=\"_csrf\"[^>]*>").matcher(html);
        assertThat(input.find()).as("a CSRF field").isTrue();
        Matcher value = Pattern.compile("value=\"([^\"]+)\"").matcher(input.group());
        assertThat(value.find()).isTrue();
        return value.group(1);
    }

    List<Case> dashboardCases() {
        List<Case> out = new ArrayList<>();
        String managed = "name=corpus-form&profile=tls-server&dnsNames=form.test&owner=corpus";
        for (String[] c : new String[][] {
                {"/managed/new", "missing name", "profile=tls-server&dnsNames=form.test&owner=corpus"},
                {"/managed/new", "owner of 300 characters", managed.replace("owner=corpus", "owner=" + "o".repeat(300))},
                {"/managed/new", "unknown key algorithm", managed + "&keyAlgorithm=EC-P999"},
                {"/managed/new", "unknown target", managed + "&targetNames=no-such-target"},
                {"/managed/new", "validity soon", managed + "&validity=soon"},
                {"/managed/new", "DNS name not a name", managed.replace("form.test", "not+a+name%21")},
                {"/managed/new", "name outside the policy", managed.replace("form.test", "evil.example.com")},
                {"/managed/new", "unknown profile", managed.replace("tls-server", "no-such-profile")},
                {"/managed/new", "name with path traversal", managed.replace("corpus-form", "..%2F..%2Fx")},
                {"/managed/new", "key mode hsm", managed + "&keyMode=hsm"},
                {"/managed/new", "name with NUL", managed.replace("corpus-form", "a%00b")},
                {"/certificates/abc/revoke", "id not a number", "reason=keyCompromise&confirm=yes"},
                {"/certificates/-1/revoke", "negative id", "reason=keyCompromise&confirm=yes"},
                {"/certificates/99999999999999999999/revoke", "id past Long", "reason=keyCompromise&confirm=yes"},
                {"/certificates/99999999/revoke", "unknown id", "reason=keyCompromise&confirm=yes"},
                {"/certificates/1/revoke", "reason garbage", "reason=bogus&confirm=yes"},
                {"/certificates/1/revoke", "no reason", "confirm=yes"},
                {"/users", "role GOD", "username=corpus-user&password=correct-horse-battery&role=GOD"},
                {"/users", "empty user name", "username=&password=correct-horse-battery&role=VIEWER"},
                {"/users", "user name of 300 characters", "username=" + "u".repeat(300) + "&password=correct-horse-battery&role=VIEWER"},
                {"/users", "password x", "username=corpus-user&password=x&role=VIEWER"},
                {"/users", "missing role", "username=corpus-user&password=correct-horse-battery"},
                {"/users/no-such-user/enabled", "unknown user", "enabled=false"},
                {"/users/admin/enabled", "enabled maybe", "enabled=maybe"},
                {"/targets/new", "port abc", "kind=files&host=127.0.0.1&port=abc&user=deploy&hostKeySha256=SHA256%3Ax&probeHost=h&probePort=443"},
                {"/targets/new", "port -1", "kind=files&host=127.0.0.1&port=-1&user=deploy&hostKeySha256=SHA256%3A" + "A".repeat(43)
                        + "&newName=corpus-t&probeHost=h&probePort=443"},
                {"/targets/new", "kind ftp", "kind=ftp&host=127.0.0.1&user=deploy&hostKeySha256=SHA256%3A" + "A".repeat(43)
                        + "&newName=corpus-t&probeHost=h&probePort=443"},
                {"/targets/new", "missing probe port", "kind=files&host=127.0.0.1&user=deploy&hostKeySha256=x&probeHost=h"},
                {"/service-tokens", "name with spaces", "name=Bad+Name&managedCertificates=corpus-managed"},
                {"/service-tokens", "unknown managed certificate", "name=corpus-svc&managedCertificates=no-such"},
                {"/service-tokens", "expiresIn soon", "name=corpus-svc&managedCertificates=corpus-managed&expiresIn=soon"},
                {"/service-tokens/no-such/revoke", "unknown token", ""},
                {"/jobs/no-group/no-job/run", "unknown job", ""},
                {"/managed/no-such/renew", "unknown managed certificate", ""},
                {"/managed/no-such/deploy", "unknown managed certificate", ""},
                {"/managed/no-such/targets", "unknown managed certificate", "targetNames=no-such-target"},
                {"/managed/corpus-managed/targets", "unknown target", "targetNames=no-such-target"}}) {
            String template = c[0].replaceAll("^/certificates/[^/]+/", "/certificates/{id}/").replaceAll("^/users/[^/]+/", "/users/{user}/")
                    .replaceAll("^/managed/(?!new)[^/]+/", "/managed/{name}/").replaceAll("^/service-tokens/[^/]+/", "/service-tokens/{name}/")
                    .replaceAll("^/jobs/[^/]+/[^/]+/", "/jobs/{group}/{name}/");
            out.add(form("POST " + template, c[1], c[0], c[2], true));
        }
        out.add(form("POST /managed/new", "no CSRF token", "/managed/new", managed, false));
        out.add(form("POST /users", "no CSRF token", "/users", "username=corpus-user&password=correct-horse-battery&role=ADMIN", false));
        out.add(new Case("GET /certificates/{id}", "id not a number", Surface.DASHBOARD, "GET", "/certificates/abc", List.of("Cookie", cookie), null));
        out.add(new Case("GET /certificates/{id}", "unknown id", Surface.DASHBOARD, "GET", "/certificates/99999999", List.of("Cookie", cookie), null));
        out.add(new Case("GET /certificates", "page not a number", Surface.DASHBOARD, "GET", "/certificates?page=abc", List.of("Cookie", cookie), null));
        out.add(new Case("GET /managed/{name}", "unknown name", Surface.DASHBOARD, "GET", "/managed/no-such", List.of("Cookie", cookie), null));
        out.add(new Case("GET /targets/{name}", "unknown name", Surface.DASHBOARD, "GET", "/targets/no-such", List.of("Cookie", cookie), null));
        return out;
    }

    Case form(String endpoint, String name, String target, String body, boolean withCsrf) {
        String full = withCsrf ? (body.isEmpty() ? "" : body + "&") + "_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) : body;
        return new Case(endpoint, name, Surface.DASHBOARD, "POST", target,
                List.of("Cookie", cookie, "Content-Type", "application/x-www-form-urlencoded", "Accept", "text/html"), () -> bytes(full));
    }

    // --- what only the servlet container sees ---

    List<Case> containerCases() {
        List<String> auth = List.of("Authorization", "Bearer " + admin, "Accept", JSON);
        List<Case> out = new ArrayList<>();
        out.add(new Case("(container)", "NUL in the path", Surface.API, "GET", "/api/v1/certificates/%00", auth, null));
        out.add(new Case("(container)", "bad percent-encoding", Surface.API, "GET", "/api/v1/%zz", auth, null));
        out.add(new Case("(container)", "URL of 12,000 characters", Surface.API, "GET", "/api/v1/certificates/" + "a".repeat(12_000), auth, null));
        out.add(new Case("(container)", "header of 20 KB", Surface.API, "GET", "/api/v1/issuers",
                List.of("Authorization", "Bearer " + admin, "X-Big", "b".repeat(20_000)), null));
        out.add(new Case("(container)", "raw dot segments", Surface.API, "GET", "/api/v1/../../etc/passwd", auth, null));
        out.add(new Case("(container)", "encoded dot segments", Surface.API, "GET", "/api/v1/%2e%2e/%2e%2e/etc/passwd", auth, null));
        out.add(new Case("(container)", "encoded slash", Surface.API, "GET", "/api/v1/certificates/a%2Fb", auth, null));
        out.add(new Case("(container)", "backslash", Surface.API, "GET", "/api/v1/certificates/a%5Cb", auth, null));
        out.add(new Case("(container)", "semicolon parameter", Surface.API, "GET", "/api/v1/certificates;jsessionid=abc/x", auth, null));
        out.add(new Case("(container)", "double slash", Surface.API, "GET", "//api//v1//certificates", auth, null));
        out.add(new Case("(container)", "unknown method", Surface.API, "FOO", "/api/v1/certificates", auth, null));
        out.add(new Case("(container)", "TRACE", Surface.API, "TRACE", "/api/v1/certificates", auth, null));
        out.add(new Case("(container)", "Content-Length and no body", Surface.API, "POST", "/api/v1/certificates",
                List.of("Authorization", "Bearer " + admin, "Content-Type", JSON, "Accept", JSON), () -> new byte[0]));
        return out;
    }

    // --- test data, made at run time ---

    static KeyPair ec() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static KeyPair secp256k1() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", new org.bouncycastle.jce.provider.BouncyCastleProvider());
            generator.initialize(new ECGenParameterSpec("secp256k1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String csr(KeyPair keys, String name) {
        try {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, name)));
            var request = new JcaPKCS10CertificationRequestBuilder(new X500Principal("CN=" + name), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider())
                            .build(keys.getPrivate()));
            return pem("CERTIFICATE REQUEST", request.getEncoded());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String selfSigned(KeyPair keys, String subject) {
        try {
            Instant now = Instant.now();
            X500Principal name = new X500Principal(subject);
            var holder = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(60)),
                    Date.from(now.plus(30, ChronoUnit.DAYS)), name, keys.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()));
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(holder);
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    byte[] ocspRequest(String leafPem) throws Exception {
        X509Certificate leaf = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(bytes(leafPem)));
        X509Certificate issuer = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(plain.send("GET", "/ca/dev-issuing.crt", List.of(), null).body()));
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer), leaf.getSerialNumber());
        return new OCSPReqBuilder().addRequest(id).build().getEncoded();
    }

    static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der) + "\n-----END " + label + "-----\n";
    }

    static byte[] der(String pem) {
        return Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
    }

    /** SEQUENCEs of indefinite length nested {@code depth} deep, with their end-of-contents octets (X.690 §8.1.3.6). */
    static byte[] nested(int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < depth; i++) {
            out.write(0x30);
            out.write(0x80);
        }
        out.writeBytes(new byte[2 * depth]);
        return out.toByteArray();
    }

    static byte[] nestedDefinite(int depth) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int total = depth * 6;
        for (int i = 0; i < depth; i++) {
            int length = total - 6 * (i + 1);
            out.writeBytes(new byte[] {0x30, (byte) 0x84, (byte) (length >>> 24), (byte) (length >>> 16), (byte) (length >>> 8), (byte) length});
        }
        return out.toByteArray();
    }

    static byte[] invalidUtf8(String json) {
        int quote = json.indexOf(":\"") + 2;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(json.substring(0, quote)));
        out.writeBytes(new byte[] {(byte) 0xC3, 0x28, (byte) 0xFF});
        out.writeBytes(bytes(json.substring(quote)));
        return out.toByteArray();
    }

    static String b64(String text) {
        return b64(bytes(text));
    }

    static String b64(byte[] data) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static Map<String, Object> ordered(Object... keyValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            map.put((String) keyValues[i], keyValues[i + 1]);
        }
        return map;
    }

    static String abbreviate(String text) {
        String flat = text.replaceAll("[\\r\\n\\t\\x00-\\x1f]", "·");
        return flat.length() > 60 ? flat.substring(0, 60) + "…(" + flat.length() + ")" : flat;
    }

    // --- the summary for the lead ---

    String summary() {
        Map<String, int[]> byEndpoint = new TreeMap<>();
        Map<String, List<String>> failuresByEndpoint = new TreeMap<>();
        synchronized (outcomes) {
            for (Outcome o : outcomes) {
                int[] counts = byEndpoint.computeIfAbsent(o.request().endpoint(), k -> new int[2]);
                counts[0]++;
                if (!o.failures().isEmpty()) {
                    counts[1]++;
                    failuresByEndpoint.computeIfAbsent(o.request().endpoint(), k -> new ArrayList<>())
                            .add(o.request().name() + " → " + o.status() + " " + o.contentType().split(";")[0] + ": " + String.join("; ", o.failures()));
                }
            }
        }
        StringBuilder out = new StringBuilder("\n=== Bad-input corpus (" + getClass().getSimpleName() + "): ")
                .append(outcomes.size()).append(" requests, ")
                .append(outcomes.stream().filter(o -> !o.failures().isEmpty()).count()).append(" failed ===\n");
        out.append(String.format("%-60s %6s %6s%n", "endpoint", "sent", "failed"));
        byEndpoint.forEach((endpoint, counts) -> out.append(String.format("%-60s %6d %6d%n", endpoint, counts[0], counts[1])));
        out.append("\nFailures:\n");
        failuresByEndpoint.forEach((endpoint, list) -> {
            out.append(endpoint).append('\n');
            list.forEach(line -> out.append("    ").append(line).append('\n'));
        });
        return out.toString();
    }
}
