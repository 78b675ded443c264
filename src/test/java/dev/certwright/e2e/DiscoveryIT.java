package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.DiscoveryPeers;
import dev.certwright.support.DiscoveryPeers.OpensslServer;
import dev.certwright.support.DiscoveryPeers.Plaintext;
import dev.certwright.support.DiscoveryPeers.StartTlsFront;
import dev.certwright.support.Json;
import dev.certwright.support.Ports;
import dev.certwright.support.TestDatabase;
import tools.jackson.databind.JsonNode;

/**
 * Network discovery end to end (decision 75), on loopback only: nginx serving three certificates by SNI, HAProxy,
 * {@code openssl s_server}, and an SMTP STARTTLS front to another s_server are scanned by the packaged server; what it
 * found is read back the way an operator would, from the inventory and the certificate's endpoints.
 */
class DiscoveryIT {

    static Path work;
    static TestDatabase database;
    static CertwrightProcess app;
    static Process nginx;
    static int nginxPort;
    static int haproxyPort;
    static OpensslServer sServer;
    static OpensslServer smtpBackend;
    static StartTlsFront smtp;
    static String admin;
    static final String ADMIN_PASSWORD = "discovery-admin-" + java.util.UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        DiscoveryPeers.require("/usr/sbin/nginx", "/usr/sbin/haproxy", "/usr/bin/openssl");
        work = Files.createTempDirectory("certwright-discovery-");
        Path peers = Files.createDirectories(work.resolve("peers"));
        for (String name : List.of("alpha", "beta", "gamma", "haproxy", "plain", "mail")) {
            DiscoveryPeers.selfSigned(peers, name, name + ".test");
        }
        nginxPort = CertwrightProcess.freePort();
        startNginx(peers);
        haproxyPort = CertwrightProcess.freePort();
        Path haproxyConfig = DiscoveryPeers.haproxyBySni(peers, "127.0.0.1", haproxyPort, List.of("haproxy"));
        Commands.run(peers, "/usr/sbin/haproxy", "-W", "-D", "-f", haproxyConfig.toString(), "-p", peers.resolve("haproxy.pid").toString())
                .assertSuccess();
        Ports.awaitListening(haproxyPort, Duration.ofSeconds(20), null, null);
        sServer = OpensslServer.start(peers, "plain", null, null);
        smtpBackend = OpensslServer.start(peers, "mail", null, null);
        smtp = new StartTlsFront(Plaintext.SMTP, smtpBackend.port);
        database = TestDatabase.h2();
        app = CertwrightProcess.start(new CertwrightProcess.Options(work.resolve("data"), database).env("CERTWRIGHT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .arg("--certwright.discovery.allowed-networks=127.0.0.0/8,::1").arg("--certwright.discovery.run-interval=PT1S")
                .arg("--certwright.discovery.timeout=PT3S").arg("--certwright.discovery.starttls-ports." + smtp.port + "=SMTP"));
        admin = app.adminToken();
    }

    static void startNginx(Path peers) throws IOException {
        DiscoveryPeers.nginxBySni(peers, "127.0.0.1", nginxPort, List.of("alpha", "beta", "gamma"));
        nginx = new ProcessBuilder("/usr/sbin/nginx", "-c", peers.resolve("nginx.conf").toString(), "-p", peers.toString())
                .redirectErrorStream(true).redirectOutput(peers.resolve("nginx-console.log").toFile()).start();
        Ports.awaitListening(nginxPort, Duration.ofSeconds(20), nginx, peers.resolve("error.log"));
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable peer : new AutoCloseable[] {smtp, sServer, smtpBackend}) {
            if (peer != null) {
                peer.close();
            }
        }
        if (nginx != null) {
            nginx.destroy();
            nginx.waitFor();
        }
        Path pid = work == null ? null : work.resolve("peers/haproxy.pid");
        if (pid != null && Files.exists(pid)) {
            Commands.run(work, "sh", "-c", "kill $(head -1 " + pid + ")");
        }
        if (database != null) {
            CertwrightProcess.stopAll(app, database, work);
        }
    }

    static JsonNode awaitRun(String location) {
        return awaitRun(app, admin, location);
    }

    /** The run at {@code location} once it has completed or failed. */
    static JsonNode awaitRun(CertwrightProcess app, String admin, String location) {
        JsonNode[] last = new JsonNode[1];
        Awaitility.await(location + " completed").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
            last[0] = app.get(location, admin).json();
            return List.of("COMPLETED", "FAILED").contains(last[0].get("state").asString());
        });
        return last[0];
    }

    @Test
    void aScanFindsEveryCertificateServedByNameAndWithoutAndRecordsWhereItWasSeen() {
        Response created = app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "loopback", "targets", List.of("127.0.0.1"),
                "ports", List.of(nginxPort, haproxyPort, sServer.port), "serverNames", List.of("beta.test", "gamma.test"), "concurrency", 8,
                "ratePerSecond", 50));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        Response run = app.send("POST", "/api/v1/discovery/scans/loopback/run", admin, "application/json", "");
        assertThat(run.status()).as(run.body()).isEqualTo(202);
        JsonNode done = awaitRun(run.headers().get("location").getFirst());
        assertThat(done.get("state").asString()).as(done.toString()).isEqualTo("COMPLETED");
        assertThat(done.get("endpointsTotal").asInt()).isEqualTo(9); // 3 ports × (no SNI, beta, gamma)
        assertThat(done.get("handshakes").asInt()).as(done.toString()).isEqualTo(9);

        JsonNode discovered = app.get("/api/v1/certificates?source=DISCOVERED&size=100", admin).json();
        List<String> subjects = new ArrayList<>();
        discovered.get("items").forEach(item -> subjects.add(item.get("subject").asString()));
        assertThat(subjects).contains("CN=alpha.test", "CN=beta.test", "CN=gamma.test", "CN=haproxy.test", "CN=plain.test");
        // Only the owners test (on another host name) gives one of them an owner.
        discovered.get("items").forEach(item -> assertThat(item.has("owner") && item.get("subject").asString().matches("CN=(alpha|beta|gamma)\\.test"))
                .as("a discovered certificate has no owner").isFalse());

        JsonNode beta = certificate("CN=beta.test");
        assertThat(beta.get("source").asString()).isEqualTo("DISCOVERED");
        JsonNode endpoint = beta.get("endpoints").get(0);
        assertThat(endpoint.get("host").asString()).isEqualTo("127.0.0.1");
        assertThat(endpoint.get("port").asInt()).isEqualTo(nginxPort);
        assertThat(endpoint.get("serverName").asString()).isEqualTo("beta.test");
        assertThat(endpoint.get("protocol").asString()).isEqualTo("tls");
        assertThat(endpoint.get("findings").toString()).contains("self-signed");
        JsonNode selfSigned = app.get("/api/v1/certificates?finding=self-signed", admin).json();
        assertThat(selfSigned.get("total").asInt()).isGreaterThanOrEqualTo(5);
        assertThat(app.get("/api/v1/certificates?finding=nonesuch", admin).status()).isEqualTo(400);
        // The dashboard: discovered next to issued on the overview, the endpoints on the certificate's page.
        dev.certwright.support.DashboardSession session = dev.certwright.support.DashboardSession.signedIn(app, "admin", ADMIN_PASSWORD);
        String overview = session.get("/").body();
        assertThat(overview).contains("id=\"discovered-count\"", "discovered on the network", "id=\"finding-self-signed\"");
        java.util.regex.Matcher link = java.util.regex.Pattern.compile("href=\"/certificates/(\\d+)\"")
                .matcher(session.get("/certificates?source=DISCOVERED").body());
        assertThat(link.find()).isTrue();
        String page = session.get("/certificates/" + link.group(1)).body();
        assertThat(page).contains("Seen on the network");
        // The Discovery page: the scan, its run with its counts, the findings; "Run now" queues another run.
        String discovery = session.get("/discovery").body();
        assertThat(discovery).contains("id=\"scan-loopback\"", "id=\"run-row-" + done.get("id").asInt() + "\"", "9 / 9",
                "id=\"discovery-finding-self-signed\"");
        Response queued = session.postForm("/discovery/loopback/run", Map.of());
        assertThat(queued.status()).as(queued.body()).isIn(302, 303);
        assertThat(session.get("/discovery").body()).contains("is queued");
        assertThat(session.postForm("/discovery/nonesuch/run", Map.of()).status()).isEqualTo(404);
        // The default server answers without SNI, and for names it does not know: there the name does not match.
        JsonNode haproxy = certificate("CN=haproxy.test");
        List<String> findings = new ArrayList<>();
        haproxy.get("endpoints").forEach(e -> findings.add(e.get("serverName") == null ? "-" : e.get("serverName").asString() + ":"
                + e.get("findings").toString()));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("beta.test:").contains("name-mismatch"));
    }

    @Test
    void smtpStartTlsIsSpokenOnThePortsThatNeedIt() {
        // The front's port is an SMTP port by certwright.discovery.starttls-ports (25 and 587 are privileged here).
        assertThat(app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "mail", "targets", List.of("127.0.0.1"),
                "ports", List.of(smtp.port))).status()).isEqualTo(201);
        Response run = app.send("POST", "/api/v1/discovery/scans/mail/run", admin, "application/json", "");
        JsonNode done = awaitRun(run.headers().get("location").getFirst());
        assertThat(done.get("handshakes").asInt()).as(done.toString()).isEqualTo(1);
        JsonNode mail = certificate("CN=mail.test");
        assertThat(mail.get("endpoints").get(0).get("protocol").asString()).isEqualTo("smtp");
        assertThat(mail.get("endpoints").get(0).get("port").asInt()).isEqualTo(smtp.port);
    }

    @Test
    void whatLiesOutsideTheAllowedNetworksIsRefusedAndBadInputIsAProblem() {
        Response outside = app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "outside", "targets", List.of("192.0.2.10"),
                "ports", List.of(443)));
        assertThat(outside.status()).isEqualTo(422);
        assertThat(outside.contentType()).startsWith("application/problem+json");
        assertThat(outside.body()).contains("allowed-networks");
        Response huge = app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "huge", "targets", List.of("127.0.0.0/8"), "ports", List.of(443)));
        assertThat(huge.status()).isEqualTo(422);
        assertThat(huge.body()).contains("max-addresses");
        for (String body : List.of("{\"name\":\"x\",\"targets\":[\"10.0.0.0/33\"],\"ports\":[443]}",
                "{\"name\":\"x\",\"targets\":[\"127.0.0.1\"],\"ports\":[70000]}",
                "{\"name\":\"x\",\"targets\":[\"127.0.0.1\"],\"ports\":[443],\"schedule\":\"every hour\"}",
                "{\"name\":\"x\",\"targets\":\"127.0.0.1\",\"ports\":[443]}",
                "{\"name\":\"x\",\"targets\":[\"127.0.0.1\"],\"ports\":[443],\"concurrency\":-1}",
                "{\"name\":\"x\",\"targets\":[null],\"ports\":[null]}", "[]", "{")) {
            Response bad = app.send("POST", "/api/v1/discovery/scans", admin, "application/json", body);
            assertThat(bad.status()).as(body + " → " + bad.body()).isEqualTo(400);
            assertThat(bad.contentType()).startsWith("application/problem+json");
        }
        assertThat(app.get("/api/v1/discovery/scans/nonesuch", admin).status()).isEqualTo(404);
        assertThat(app.send("POST", "/api/v1/discovery/scans/nonesuch/run", admin, "application/json", "").status()).isEqualTo(404);
        assertThat(app.get("/api/v1/discovery/scans/nonesuch/runs/1", admin).status()).isEqualTo(404);
    }

    @Test
    void aScanCanBeChangedAndDeletedAndEachChangeIsAudited() {
        assertThat(app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "edit", "targets", List.of("127.0.0.1"), "ports", List.of(443)))
                .status()).isEqualTo(201);
        Response changed = app.send("PUT", "/api/v1/discovery/scans/edit", admin, "application/json",
                Json.write(Map.of("targets", List.of("127.0.0.0/30"), "ports", List.of(443, 8443), "schedule", "PT1H")));
        assertThat(changed.status()).as(changed.body()).isEqualTo(200);
        assertThat(changed.json().get("nextRunAt")).isNotNull();
        assertThat(app.send("DELETE", "/api/v1/discovery/scans/edit", admin, "application/json", "").status()).isEqualTo(204);
        assertThat(app.get("/api/v1/discovery/scans/edit", admin).status()).isEqualTo(404);
        String audit = app.get("/api/v1/audit-log?size=50", admin).body();
        assertThat(audit).contains("discovery.scan-created", "discovery.scan-updated", "discovery.scan-deleted");
    }

    /**
     * kill -9 in the middle of a run: the run is left RUNNING by a node that no longer exists. After the restart its
     * heartbeat goes stale, it is queued again and the new node runs it to the end. The endpoint accepts TCP and never
     * answers (each handshake waits out the timeout) until the restart, then refuses, so the second pass ends quickly.
     */
    @Test
    void aRunCutShortByKillMinus9IsQueuedAgainAndFinishedAfterTheRestart() throws Exception {
        Path data = work.resolve("crash-data");
        TestDatabase crashDatabase = TestDatabase.h2();
        java.net.ServerSocket silent = new java.net.ServerSocket(0, 100, java.net.InetAddress.getLoopbackAddress());
        List<String> names = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "n" + i + ".test").toList();
        CertwrightProcess.Options options = new CertwrightProcess.Options(data, crashDatabase).env("CERTWRIGHT_ADMIN_PASSWORD", ADMIN_PASSWORD)
                .arg("--certwright.discovery.allowed-networks=127.0.0.0/8").arg("--certwright.discovery.run-interval=PT1S")
                .arg("--certwright.discovery.timeout=PT2S").arg("--certwright.discovery.stale-after=PT15S");
        CertwrightProcess first = CertwrightProcess.start(options);
        CertwrightProcess second = null;
        try {
            String token = first.adminToken();
            assertThat(first.postJson("/api/v1/discovery/scans", token, Map.of("name", "slow", "targets", List.of("127.0.0.1"),
                    "ports", List.of(silent.getLocalPort()), "serverNames", names, "concurrency", 1, "ratePerSecond", 1)).status()).isEqualTo(201);
            String location = first.send("POST", "/api/v1/discovery/scans/slow/run", token, "application/json", "").headers().get("location").getFirst();
            Awaitility.await("the run started").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> first.get(location, token).json().get("state").asString().equals("RUNNING")
                            && first.get(location, token).json().get("endpointsTotal").asInt() == 31);
            first.kill();
            silent.close(); // from now on the port refuses: the second pass is quick

            second = CertwrightProcess.start(options);
            CertwrightProcess restarted = second;
            String again = restarted.adminToken();
            JsonNode[] last = new JsonNode[1];
            // stale-after (15 s) after the last heartbeat, then one run-interval, then 31 refused connections.
            Awaitility.await("the run queued again and finished").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
                last[0] = restarted.get(location, again).json();
                return last[0].get("state").asString().equals("COMPLETED");
            });
            assertThat(last[0].get("endpointsDone").asInt()).as(last[0].toString()).isEqualTo(31);
            assertThat(last[0].get("failures").asInt()).as("every connection refused after the restart").isEqualTo(31);
            assertThat(last[0].get("errors").get(0).asString()).contains("queued again").contains("no heartbeat");
        } finally {
            silent.close();
            first.kill();
            if (second != null) {
                second.close();
            }
            crashDatabase.close();
        }
    }

    @Test
    void aDeployTargetsProbeEndpointServingAnythingButItsSlotsCurrentCertificateIsDrift() throws Exception {
        // A slot whose current certificate an s_server serves (from the bundle its service pulls), and a second target
        // of the same slot, nginx's beta.test, which serves a certificate of its own: drift there only.
        Response slot = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "drift-web", "profile", "tls-server",
                "dnsNames", List.of("drift.test"), "owner", "team-drift"));
        assertThat(slot.status()).as(slot.body()).isEqualTo(201);
        String firstSerial = slot.json().get("serial").asString();
        String service = app.postJson("/api/v1/service-tokens", admin, Map.of("name", "drift-host", "managedCertificates", List.of("drift-web")))
                .json().get("token").asString();
        Path peers = work.resolve("peers");
        String bundle = app.get("/api/v1/managed-certificates/drift-web/bundle", service).body();
        Files.writeString(peers.resolve("drift.crt"), bundle);
        Files.writeString(peers.resolve("drift.key"), bundle);
        try (OpensslServer current = OpensslServer.start(peers, "drift", null, null)) {
            for (var target : List.of(Map.entry("drift-web1", Map.of("host", "127.0.0.1", "port", current.port)),
                    Map.entry("drift-lb", Map.of("host", "127.0.0.1", "port", nginxPort, "serverName", "beta.test")))) {
                Response created = app.postJson("/api/v1/deploy/targets", admin, Map.of("name", target.getKey(), "kind", "files", "host", "127.0.0.1",
                        "port", 1, "user", "deploy", "hostKeySha256", "SHA256:" + "A".repeat(43),
                        "paths", Map.of("certificatePath", "/srv/tls/cert.pem", "keyPath", "/srv/tls/key.pem"), "probe", target.getValue()));
                assertThat(created.status()).as(created.body()).isEqualTo(201);
            }
            assertThat(app.send("PUT", "/api/v1/managed-certificates/drift-web/targets", admin, "application/json",
                    Json.write(Map.of("targets", List.of("drift-web1", "drift-lb")))).status()).isEqualTo(200);
            assertThat(app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "drift", "targets", List.of("127.0.0.1"),
                    "ports", List.of(current.port, nginxPort), "serverNames", List.of("beta.test"))).status()).isEqualTo(201);
            String location = app.send("POST", "/api/v1/discovery/scans/drift/run", admin, "application/json", "").headers().get("location").getFirst();
            assertThat(awaitRun(location).get("state").asString()).isEqualTo("COMPLETED");

            assertThat(findingsAt(app.get("/api/v1/certificates/" + firstSerial, admin).json(), current.port, null))
                    .as("the slot's current certificate, where its target serves it").doesNotContain("drift");
            assertThat(findingsAt(certificate("CN=beta.test"), nginxPort, "beta.test")).contains("drift");
            assertThat(findingsAt(certificate("CN=alpha.test"), nginxPort, null)).as("not what the deployer probes (no SNI)").doesNotContain("drift");
            assertThat(serials(app.get("/api/v1/certificates?finding=drift&size=100", admin).json())).contains(certificate("CN=beta.test")
                    .get("serial").asString()).doesNotContain(firstSerial);

            // Renewed, and not deployed: what the target still serves is no longer the slot's current certificate.
            Response renewed = app.send("POST", "/api/v1/managed-certificates/drift-web/renew", admin, null, null);
            assertThat(renewed.status()).as(renewed.body()).isEqualTo(200);
            location = app.send("POST", "/api/v1/discovery/scans/drift/run", admin, "application/json", "").headers().get("location").getFirst();
            assertThat(awaitRun(location).get("state").asString()).isEqualTo("COMPLETED");
            assertThat(findingsAt(app.get("/api/v1/certificates/" + firstSerial, admin).json(), current.port, null)).contains("drift");
            assertThat(serials(app.get("/api/v1/certificates?finding=drift&size=100", admin).json())).contains(firstSerial);
        }
    }

    /** The findings recorded where a certificate was seen at this loopback port and SNI name. */
    static String findingsAt(JsonNode certificate, int port, String serverName) {
        for (JsonNode e : certificate.get("endpoints")) {
            String sni = e.get("serverName") == null || e.get("serverName").isNull() ? null : e.get("serverName").asString();
            if (e.get("port").asInt() == port && java.util.Objects.equals(sni, serverName)) {
                return e.get("findings").toString();
            }
        }
        throw new AssertionError("no endpoint at port " + port + " SNI " + serverName + ": " + certificate.get("endpoints"));
    }

    static List<String> serials(JsonNode page) {
        List<String> out = new ArrayList<>();
        page.get("items").forEach(item -> out.add(item.get("serial").asString()));
        return out;
    }

    @Test
    void anOperatorSetsTheOwnerOfWhatAHostPatternServes() {
        assertThat(app.postJson("/api/v1/discovery/scans", admin, Map.of("name", "owners", "targets", List.of("localhost"),
                "ports", List.of(sServer.port))).status()).isEqualTo(201);
        awaitRun(app.send("POST", "/api/v1/discovery/scans/owners/run", admin, "application/json", "").headers().get("location").getFirst());
        Response set = app.postJson("/api/v1/discovery/owners", admin, Map.of("hostPattern", "local*", "owner", "team-edge"));
        assertThat(set.status()).as(set.body()).isEqualTo(200);
        assertThat(set.json().get("certificates").asInt()).isPositive();
        assertThat(certificate("CN=plain.test").get("owner").asString()).isEqualTo("team-edge");
    }

    static JsonNode certificate(String subject) {
        JsonNode items = app.get("/api/v1/certificates?source=DISCOVERED&size=100", admin).json().get("items");
        for (JsonNode item : items) {
            if (item.get("subject").asString().equals(subject)) {
                return app.get("/api/v1/certificates/" + item.get("serial").asString(), admin).json();
            }
        }
        throw new AssertionError(subject + " was not discovered: " + items);
    }
}
