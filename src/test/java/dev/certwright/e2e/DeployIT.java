package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Commands;
import dev.certwright.support.Ports;
import dev.certwright.support.SshHost;
import dev.certwright.support.TestDatabase;
import dev.certwright.support.TlsPeers;
import tools.jackson.databind.JsonNode;

/**
 * The SSH deployer against real peers on loopback: OpenSSH's sshd (the deployer logs in with its own Ed25519 key),
 * nginx and HAProxy (each reloaded the way an admin would), checked with {@code openssl s_client}; on PostgreSQL.
 *
 * <p>The server and the peers are shared by the class; each test makes its own targets and its own managed
 * certificate, and takes them back after it ({@link #undo()}), so that the tests run in any order and alone
 * (decision 63). The drift probe redeploys a slot's instance to any of its targets that serves something else: two slots
 * naming one host at once would redeploy against each other. So a slot names no target once its test has ended, and its
 * targets are deleted, which makes a redeployment still queued for them moot.
 */
class DeployIT {

    static final String WEBHOOK_SECRET = "deploy-webhook-" + java.util.UUID.randomUUID();

    static Path work;
    static TestDatabase.Postgres database;
    static CertwrightProcess app;
    static SshHost ssh;
    static TlsPeers.Nginx nginx;
    static TlsPeers.Nginx edge;
    static TlsPeers.Haproxy haproxy;
    static Ports.BlackHole blackHole;
    static HttpServer hook;
    static final List<String> notices = new CopyOnWriteArrayList<>();
    static String admin;
    /** What the running test made on the shared server and hosts, undone after it, newest first. */
    static final Deque<Undo> undoSteps = new ArrayDeque<>();

    /** One step of taking a test's fixtures back. */
    interface Undo {
        void run() throws Exception;
    }

    @BeforeAll
    static void start() throws Exception {
        work = Files.createTempDirectory("certwright-deploy-");
        database = (TestDatabase.Postgres) TestDatabase.postgres();
        ssh = SshHost.start(work.resolve("ssh"));
        nginx = TlsPeers.Nginx.start(work.resolve("nginx"));
        edge = TlsPeers.Nginx.start(work.resolve("edge"));
        haproxy = TlsPeers.Haproxy.start(work.resolve("haproxy"));
        blackHole = new Ports.BlackHole();
        hook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        hook.createContext("/hook", exchange -> {
            notices.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        hook.start();
        app = CertwrightProcess.start(options(work.resolve("data")));
        admin = app.adminToken();
        // Certwright's public key goes into the host's authorized_keys, as an admin would put it.
        Response key = app.get("/api/v1/deploy/ssh-key", admin);
        assertThat(key.status()).isEqualTo(200);
        assertThat(key.body()).startsWith("ssh-ed25519 ");
        ssh.authorize(key.body());
        assertThat(app.send("PUT", "/api/v1/owners/team-web/contacts", admin, "application/json",
                "{\"emails\":[],\"webhooks\":[\"http://127.0.0.1:" + hook.getAddress().getPort() + "/hook\"]}").status()).isEqualTo(200);
    }

    static CertwrightProcess.Options options(Path data, String... overrides) {
        Map<String, String> settings = new java.util.LinkedHashMap<>();
        for (String setting : List.of("deploy.connect-timeout=PT8S", "deploy.command-timeout=PT10S", "deploy.probe-timeout=PT5S",
                "deploy.lease=PT40S", "deploy.max-attempts=1", "deploy.queue-interval=PT2S", "deploy.drift-interval=PT3S",
                "notify.scan-interval=PT1S", "renewal.scan-interval=PT1H",
                // The owner's webhook is a test server on loopback, which webhooks may reach only when listed.
                "notify.allowed-hosts=127.0.0.1")) {
            settings.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
        }
        for (String setting : overrides) {
            settings.put(setting.substring(0, setting.indexOf('=')), setting.substring(setting.indexOf('=') + 1));
        }
        CertwrightProcess.Options options = new CertwrightProcess.Options(data, database).env("CERTWRIGHT_NOTIFY_WEBHOOK_SECRET", WEBHOOK_SECRET);
        settings.forEach((key, value) -> options.arg("--certwright." + key + "=" + value));
        return options;
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable peer : new AutoCloseable[] {app, ssh, nginx, edge, haproxy, blackHole}) {
            if (peer != null) {
                try {
                    peer.close();
                } catch (Exception e) {
                    // stop the others
                }
            }
        }
        if (hook != null) {
            hook.stop(0);
        }
        CertwrightProcess.stopAll(null, database, work);
    }

    /** Runs the running test's undo steps, newest first, all of them even when one fails. */
    @AfterEach
    void undo() throws Throwable {
        Throwable failure = null;
        while (!undoSteps.isEmpty()) {
            try {
                undoSteps.pop().run();
            } catch (Throwable t) {
                if (failure == null) {
                    failure = t;
                } else {
                    failure.addSuppressed(t);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Creates a target for the running test; it is deleted after the test (once its slot no longer names it). */
    static void createTarget(Map<String, Object> target) {
        Response created = app.postJson("/api/v1/deploy/targets", admin, target);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String name = (String) target.get("name");
        undoSteps.push(() -> assertThat(app.send("DELETE", "/api/v1/deploy/targets/" + name, admin, null, null).status())
                .as("deleting target " + name).isIn(204, 404));
    }

    /** Creates a managed certificate for the running test; after the test it names no target, so nothing deploys it again. */
    static Response createSlot(Map<String, Object> body) {
        Response created = app.postJson("/api/v1/managed-certificates", admin, body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        String name = (String) body.get("name");
        undoSteps.push(() -> assertThat(app.send("PUT", "/api/v1/managed-certificates/" + name + "/targets", admin, "application/json",
                "{\"targets\":[]}").status()).as("taking the targets from " + name).isEqualTo(200));
        return created;
    }

    static Map<String, Object> target(String name, String kind, int sshPort, String fingerprint, Map<String, String> paths, String reload,
            int probePort) {
        Map<String, Object> body = new HashMap<>();
        body.put("name", name);
        body.put("kind", kind);
        body.put("host", "127.0.0.1");
        body.put("port", sshPort);
        body.put("user", System.getProperty("user.name"));
        body.put("hostKeySha256", fingerprint);
        body.put("paths", paths);
        body.put("reloadCommand", reload);
        body.put("probe", Map.of("host", "127.0.0.1", "port", probePort, "serverName", "web.test"));
        return body;
    }

    static Map<String, Object> nginxTarget(String name, String reload) {
        return target(name, "nginx", ssh.port(), ssh.hostKeySha256(), Map.of("fullchainPath", nginx.dir.resolve("fullchain.pem").toString(),
                "keyPath", nginx.dir.resolve("key.pem").toString()), reload, nginx.port);
    }

    static Map<String, Object> haproxyTarget(String name, String fingerprint) {
        return target(name, "haproxy", ssh.port(), fingerprint, Map.of("combinedPemPath", haproxy.dir.resolve("combined.pem").toString()),
                haproxy.reloadCommand(), haproxy.port);
    }

    /** The serial the endpoint serves, as openssl s_client sees it with SNI web.test. */
    static String servedSerial(int port) {
        String out = Commands.run(work, "sh", "-c", "openssl s_client -connect 127.0.0.1:" + port + " -servername web.test </dev/null 2>/dev/null"
                + " | openssl x509 -noout -serial").output();
        return out.trim().replace("serial=", "").toLowerCase();
    }

    /** Waits until the slot's newest deployment to the target for this serial has finished, and returns it. */
    static JsonNode awaitDeployment(CertwrightProcess on, String name, String target, String serial, Duration limit) {
        return org.awaitility.Awaitility.await("a finished deployment of " + serial + " to " + target).atMost(limit).pollInterval(Duration.ofMillis(300))
                .until(() -> newestDeployment(on, name, target, serial), d -> d != null && !d.get("status").asString().equals("PENDING"));
    }

    /** The slot's newest deployment to the target for this serial, or null. */
    static JsonNode newestDeployment(CertwrightProcess on, String name, String target, String serial) {
        for (JsonNode d : on.get("/api/v1/managed-certificates/" + name + "/deployments", admin).json()) {
            if (d.get("targetName").asString().equals(target) && d.get("serial").asString().equals(serial)) {
                return d;
            }
        }
        return null;
    }

    /** A slot's creation body: a tls-server certificate for web.test of team-web, deployed to these targets. */
    static Map<String, Object> slot(String name, boolean revokeSuperseded, String... targets) {
        return Map.of("name", name, "profile", "tls-server", "dnsNames", List.of("web.test"), "owner", "team-web", "targets", List.of(targets),
                "revokeSuperseded", revokeSuperseded);
    }

    @Test
    void badTargetsAreRefusedWithProblems() {
        Map<String, Object> traversal = nginxTarget("nginx-bad", nginx.reloadCommand());
        traversal.put("paths", Map.of("fullchainPath", "/etc/nginx/../shadow", "keyPath", "/tmp/key.pem"));
        Response refused = app.postJson("/api/v1/deploy/targets", admin, traversal);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.body()).contains("'..'");
        Map<String, Object> newline = nginxTarget("nginx-bad", nginx.reloadCommand());
        newline.put("paths", Map.of("fullchainPath", "/tmp/a\nb", "keyPath", "/tmp/key.pem"));
        assertThat(app.postJson("/api/v1/deploy/targets", admin, newline).body()).contains("newlines");
        Map<String, Object> relative = nginxTarget("nginx-bad", nginx.reloadCommand());
        relative.put("paths", Map.of("fullchainPath", "fullchain.pem"));
        assertThat(app.postJson("/api/v1/deploy/targets", admin, relative).body()).contains("absolute").contains("keyPath");
        Map<String, Object> noPin = nginxTarget("nginx-bad", nginx.reloadCommand());
        noPin.put("hostKeySha256", "yes");
        assertThat(app.postJson("/api/v1/deploy/targets", admin, noPin).body()).contains("hostKeySha256");
        String viewer = app.postJson("/api/v1/api-tokens", admin, Map.of("name", "deploy-viewer", "role", "VIEWER")).json().get("token").asString();
        assertThat(app.postJson("/api/v1/deploy/targets", viewer, nginxTarget("nginx-bad", nginx.reloadCommand())).status()).isEqualTo(403);
        assertThat(app.get("/api/v1/deploy/targets", viewer).status()).isEqualTo(200);
        assertThat(app.get("/api/v1/deploy/targets/nginx-bad", admin).status()).as("nothing refused was made").isEqualTo(404);
        assertThat(app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "ghost", "profile", "tls-server", "dnsNames",
                List.of("web.test"), "owner", "team-web", "targets", List.of("nope"))).status()).isEqualTo(400);
    }

    /** One slot's life on both hosts: created and served, then renewed, served again, and its predecessor revoked. */
    @Test
    void aNewManagedCertificateIsServedByNginxAndHaproxyAndItsRenewalReplacesItOnBoth() throws Exception {
        createTarget(nginxTarget("nginx-a", nginx.reloadCommand()));
        createTarget(haproxyTarget("haproxy-a", ssh.hostKeySha256()));
        assertThat(app.postJson("/api/v1/deploy/targets", admin, nginxTarget("nginx-a", nginx.reloadCommand())).status()).isEqualTo(409);
        // What nginx served before (the placeholder, or an earlier test's certificate) is what .previous must keep.
        String fullchainBefore = Files.readString(nginx.dir.resolve("fullchain.pem"));
        Response created = createSlot(slot("web", true, "nginx-a", "haproxy-a"));
        String serial = created.json().get("serial").asString();
        JsonNode toNginx = awaitDeployment(app, "web", "nginx-a", serial, Duration.ofSeconds(60));
        JsonNode toHaproxy = awaitDeployment(app, "web", "haproxy-a", serial, Duration.ofSeconds(60));
        assertThat(toNginx.get("status").asString()).as(toNginx.toString()).isEqualTo("VERIFIED");
        assertThat(toHaproxy.get("status").asString()).as(toHaproxy.toString()).isEqualTo("VERIFIED");
        assertThat(toNginx.get("steps").asString()).contains("connect=").contains("upload=").contains("install=").contains("reload=")
                .contains("probe=");
        assertThat(servedSerial(nginx.port)).isEqualTo(serial);
        assertThat(servedSerial(haproxy.port)).isEqualTo(serial);
        // The key file is 0600, the old files are kept as .previous, and no temporary file is left.
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nginx.dir.resolve("key.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(haproxy.dir.resolve("combined.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(nginx.dir.resolve("fullchain.pem")))).isEqualTo("rw-r--r--");
        assertThat(Files.readString(nginx.dir.resolve("fullchain.pem.previous"))).isEqualTo(fullchainBefore);
        assertThat(leftovers(nginx.dir)).isEmpty();
        assertThat(app.get("/api/v1/audit-log?action=deployment.verified&subjectType=managed-certificate&subjectId=web", admin).body())
                .contains("target=nginx-a serial=" + serial).contains("target=haproxy-a serial=" + serial);

        // The renewal is deployed to both.
        Response renewed = app.send("POST", "/api/v1/managed-certificates/web/renew", admin, null, null);
        assertThat(renewed.status()).isEqualTo(200);
        String successor = renewed.json().get("serial").asString();
        assertThat(awaitDeployment(app, "web", "nginx-a", successor, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(awaitDeployment(app, "web", "haproxy-a", successor, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(nginx.port)).isEqualTo(successor);
        assertThat(servedSerial(haproxy.port)).isEqualTo(successor);
        // revokeSuperseded: once both targets serve the successor, the predecessor is revoked as superseded.
        JsonNode old = awaitStatus(serial, "REVOKED", Duration.ofSeconds(10));
        assertThat(old.get("revocationReason").asString()).isEqualTo("superseded");
    }

    static JsonNode awaitStatus(String serial, String status, Duration limit) {
        return org.awaitility.Awaitility.await(serial + " " + status).atMost(limit).pollInterval(Duration.ofMillis(200))
                .until(() -> app.get("/api/v1/certificates/" + serial, admin).json(), c -> c.get("status").asString().equals(status));
    }

    /** Creates the slot and waits until each of its targets serves the first instance; returns that serial. */
    static String deployedSlot(Map<String, Object> body) {
        String name = (String) body.get("name");
        String serial = createSlot(body).json().get("serial").asString();
        for (Object target : (List<?>) body.get("targets")) {
            JsonNode deployed = awaitDeployment(app, name, (String) target, serial, Duration.ofSeconds(60));
            assertThat(deployed.get("status").asString()).as(deployed.toString()).isEqualTo("VERIFIED");
        }
        return serial;
    }

    @Test
    void aReloadThatDoesNotTakeIsRolledBackAndTheOwnerTold() throws Exception {
        createTarget(nginxTarget("nginx-rb", nginx.reloadCommand()));
        createTarget(haproxyTarget("haproxy-rb", ssh.hostKeySha256()));
        String before = deployedSlot(slot("rollback", true, "nginx-rb", "haproxy-rb"));
        String fullchainBefore = Files.readString(nginx.dir.resolve("fullchain.pem"));
        assertThat(app.send("PUT", "/api/v1/deploy/targets/nginx-rb", admin, "application/json", json(nginxTarget("nginx-rb", "true"))).status())
                .isEqualTo(200);
        Response renewed = app.send("POST", "/api/v1/managed-certificates/rollback/renew", admin, null, null);
        String serial = renewed.json().get("serial").asString();
        JsonNode rolledBack = awaitDeployment(app, "rollback", "nginx-rb", serial, Duration.ofSeconds(60));
        assertThat(rolledBack.get("status").asString()).as(rolledBack.toString()).isEqualTo("ROLLED_BACK");
        assertThat(rolledBack.get("reason").asString()).contains("did not see the new certificate").contains("previous files are back");
        assertThat(rolledBack.get("steps").asString()).contains("rollback=");
        // The old certificate is still served, and its files are back; HAProxy took the new one.
        assertThat(servedSerial(nginx.port)).isEqualTo(before);
        assertThat(Files.readString(nginx.dir.resolve("fullchain.pem"))).isEqualTo(fullchainBefore);
        assertThat(awaitDeployment(app, "rollback", "haproxy-rb", serial, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(haproxy.port)).isEqualTo(serial);
        assertThat(app.get("/api/v1/certificates/" + before, admin).json().get("status").asString())
                .as("nginx still serves the predecessor: not revoked").isEqualTo("ISSUED");
        org.awaitility.Awaitility.await("the deployment.failed notice").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                .until(() -> notices.stream().anyMatch(n -> n.contains("deployment.failed") && n.contains(serial)));
        assertThat(notices).anySatisfy(n -> assertThat(n).contains("deployment.failed").contains(serial).contains("ROLLED_BACK"));

        // With the reload fixed, a deployment on request serves the current instance.
        assertThat(app.send("PUT", "/api/v1/deploy/targets/nginx-rb", admin, "application/json",
                json(nginxTarget("nginx-rb", nginx.reloadCommand()))).status()).isEqualTo(200);
        Response queued = app.send("POST", "/api/v1/managed-certificates/rollback/deploy", admin, null, null);
        assertThat(queued.status()).isEqualTo(202);
        assertThat(awaitDeployment(app, "rollback", "nginx-rb", serial, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(nginx.port)).isEqualTo(serial);
    }

    @Test
    void aWrongPinnedHostKeyWritesNothing() throws Exception {
        createTarget(haproxyTarget("haproxy-pin", ssh.hostKeySha256()));
        String serial = deployedSlot(slot("pinned", false, "haproxy-pin"));
        Commands.run(work, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", work.resolve("other_host").toString()).assertSuccess();
        String other = Commands.run(work, "ssh-keygen", "-l", "-E", "sha256", "-f", work.resolve("other_host.pub").toString()).assertSuccess()
                .output().trim().split("\\s+")[1];
        assertThat(app.send("PUT", "/api/v1/deploy/targets/haproxy-pin", admin, "application/json", json(haproxyTarget("haproxy-pin", other)))
                .status()).isEqualTo(200);
        byte[] before = Files.readAllBytes(haproxy.dir.resolve("combined.pem"));
        Instant modified = Files.getLastModifiedTime(haproxy.dir.resolve("combined.pem")).toInstant();
        assertThat(app.send("POST", "/api/v1/managed-certificates/pinned/deploy", admin, null, null).status()).isEqualTo(202);
        JsonNode failed = awaitDeployment(app, "pinned", "haproxy-pin", serial, Duration.ofSeconds(60));
        // the newest deployment to haproxy-pin of this serial is the refused one (the earlier VERIFIED is older)
        assertThat(failed.get("status").asString()).as(failed.toString()).isEqualTo("FAILED");
        assertThat(failed.get("reason").asString()).contains("does not match the pinned " + other).contains("nothing was written");
        assertThat(Files.readAllBytes(haproxy.dir.resolve("combined.pem"))).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(haproxy.dir.resolve("combined.pem")).toInstant()).isEqualTo(modified);
        assertThat(leftovers(haproxy.dir)).isEmpty();
        assertThat(app.send("PUT", "/api/v1/deploy/targets/haproxy-pin", admin, "application/json",
                json(haproxyTarget("haproxy-pin", ssh.hostKeySha256()))).status()).isEqualTo(200);
    }

    @Test
    void anUnreachableHostTimesOutWhileTheOthersDeploy() throws Exception {
        createTarget(nginxTarget("nginx-ur", nginx.reloadCommand()));
        createTarget(haproxyTarget("haproxy-ur", ssh.hostKeySha256()));
        createTarget(target("dead-a", "files", blackHole.port(), ssh.hostKeySha256(),
                Map.of("certificatePath", work.resolve("dead-cert.pem").toString()), null, blackHole.port()));
        String first = deployedSlot(slot("unreachable", false, "nginx-ur", "haproxy-ur"));
        assertThat(app.send("PUT", "/api/v1/managed-certificates/unreachable/targets", admin, "application/json",
                "{\"targets\":[\"dead-a\",\"nginx-ur\",\"haproxy-ur\"]}").status()).isEqualTo(200);
        Response renewed = app.send("POST", "/api/v1/managed-certificates/unreachable/renew", admin, null, null);
        String serial = renewed.json().get("serial").asString();
        assertThat(serial).isNotEqualTo(first);
        JsonNode toNginx = awaitDeployment(app, "unreachable", "nginx-ur", serial, Duration.ofSeconds(60));
        JsonNode toDead = awaitDeployment(app, "unreachable", "dead-a", serial, Duration.ofSeconds(60));
        assertThat(toNginx.get("status").asString()).isEqualTo("VERIFIED");
        assertThat(toDead.get("status").asString()).isEqualTo("FAILED");
        assertThat(toDead.get("reason").asString()).contains("cannot connect").contains("within PT8S");
        assertThat(Instant.parse(toNginx.get("finishedAt").asString())).as("nginx did not wait for the dead host")
                .isBefore(Instant.parse(toDead.get("finishedAt").asString()));
        assertThat(servedSerial(nginx.port)).isEqualTo(serial);
        assertThat(awaitDeployment(app, "unreachable", "haproxy-ur", serial, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(haproxy.port)).isEqualTo(serial);
        assertThat(app.send("PUT", "/api/v1/managed-certificates/unreachable/targets", admin, "application/json",
                "{\"targets\":[\"nginx-ur\",\"haproxy-ur\"]}").status()).isEqualTo(200);
        assertThat(app.send("DELETE", "/api/v1/deploy/targets/nginx-ur", admin, null, null).status()).as("still named by unreachable")
                .isEqualTo(409);
        assertThat(app.send("DELETE", "/api/v1/deploy/targets/dead-a", admin, null, null).status()).isEqualTo(204);
    }

    @Test
    void driftIsFlaggedAndRepaired() throws Exception {
        createTarget(nginxTarget("nginx-drift", nginx.reloadCommand()));
        String serial = deployedSlot(slot("drifted", false, "nginx-drift"));
        // Someone puts another certificate on nginx by hand.
        Files.copy(nginx.dir.resolve("placeholder.crt"), nginx.dir.resolve("fullchain.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(nginx.dir.resolve("placeholder.key"), nginx.dir.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Commands.run(work, "sh", "-c", nginx.reloadCommand()).assertSuccess();
        org.awaitility.Awaitility.await("drift flagged and repaired").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> servedSerial(nginx.port).equals(serial)
                        && app.get("/api/v1/audit-log?action=deploy-target.drift&subjectType=deploy-target&subjectId=nginx-drift", admin).body()
                                .contains("managed=drifted expected=" + serial));
        JsonNode target = app.get("/api/v1/deploy/targets/nginx-drift", admin).json();
        assertThat(target.get("managedCertificates").toString()).contains("drifted");
        assertThat(target.get("lastProbes").get(0).get("managedName").asString()).isEqualTo("drifted");
    }

    @Test
    void aCrashBetweenRenewalAndDeploymentStillEndsVerified() throws Exception {
        // One deployment at a time, the dead host first: the renewal commits, nginx's deployment waits in the queue,
        // and the node is killed. After the restart the queue is worked off.
        createTarget(nginxTarget("nginx-crash", nginx.reloadCommand()));
        createTarget(target("dead-b", "files", blackHole.port(), ssh.hostKeySha256(),
                Map.of("certificatePath", work.resolve("dead-cert.pem").toString()), null, blackHole.port()));
        String first = createSlot(slot("crash", false, "dead-b", "nginx-crash")).json().get("serial").asString();
        assertThat(awaitDeployment(app, "crash", "nginx-crash", first, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        String passphrase = app.readSecret("ca/passphrase");
        // Whatever happens below, the next test finds a node started as in start(): the undo steps run against it.
        boolean[] restarted = {false};
        undoSteps.push(() -> {
            if (!restarted[0]) {
                app.close();
                app = CertwrightProcess.start(options(work.resolve("data")).env("CERTWRIGHT_CA_PASSPHRASE", passphrase));
            }
        });
        app.close();
        app = CertwrightProcess.start(options(work.resolve("data"), "deploy.concurrency=1", "deploy.connect-timeout=PT20S", "deploy.lease=PT60S")
                .env("CERTWRIGHT_CA_PASSPHRASE", passphrase));
        Response renewed = app.send("POST", "/api/v1/managed-certificates/crash/renew", admin, null, null);
        String serial = renewed.json().get("serial").asString();
        // Both deployments of the new serial are queued at once; the single worker is held by the dead host for up to 20 s.
        org.awaitility.Awaitility.await("both deployments queued").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> newestDeployment(app, "crash", "dead-b", serial) != null && newestDeployment(app, "crash", "nginx-crash", serial) != null);
        List<String> statuses = new ArrayList<>();
        for (JsonNode d : app.get("/api/v1/managed-certificates/crash/deployments", admin).json()) {
            if (d.get("serial").asString().equals(serial)) {
                statuses.add(d.get("targetName").asString() + "=" + d.get("status").asString());
            }
        }
        assertThat(statuses).as("queued, not yet deployed").contains("nginx-crash=PENDING");
        app.kill();
        app = CertwrightProcess.start(options(work.resolve("data")).env("CERTWRIGHT_CA_PASSPHRASE", passphrase));
        restarted[0] = true;
        JsonNode toNginx = awaitDeployment(app, "crash", "nginx-crash", serial, Duration.ofSeconds(90));
        assertThat(toNginx.get("status").asString()).as(toNginx.toString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(nginx.port)).isEqualTo(serial);
        assertThat(app.log()).doesNotContain("BEGIN PRIVATE KEY").doesNotContain("BEGIN OPENSSH PRIVATE KEY");
    }

    @Test
    void onHostKeyModeLeavesNoPrivateKeyInCertwright() throws Exception {
        // The edge host is this test's alone: an on-host key slot keeps its one target, so it stays after the test.
        Map<String, Object> onHost = target("edge-a", "nginx", ssh.port(), ssh.hostKeySha256(), Map.of("fullchainPath",
                edge.dir.resolve("fullchain.pem").toString(), "keyPath", edge.dir.resolve("key.pem").toString()), edge.reloadCommand(), edge.port);
        assertThat(app.postJson("/api/v1/deploy/targets", admin, onHost).status()).isEqualTo(201);
        createTarget(target("edge-spare", "files", ssh.port(), ssh.hostKeySha256(),
                Map.of("certificatePath", work.resolve("edge-spare.pem").toString()), null, edge.port));
        Response twoHosts = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "edge-bad", "profile", "tls-server", "dnsNames",
                List.of("web.test"), "owner", "team-web", "keyMode", "on-host", "targets", List.of("edge-a", "edge-spare")));
        assertThat(twoHosts.status()).as("one host keeps the key").isEqualTo(400);
        assertThat(twoHosts.body()).contains("exactly one target");
        Response created = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "edge", "profile", "tls-server", "dnsNames",
                List.of("web.test"), "owner", "team-web", "keyMode", "on-host", "targets", List.of("edge-a")));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        assertThat(created.json().get("keyMode").asString()).isEqualTo("on-host");
        String first = created.json().get("serial").asString();
        assertThat(awaitDeployment(app, "edge", "edge-a", first, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(edge.port)).isEqualTo(first);
        String firstKey = Files.readString(edge.dir.resolve("key.pem"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(edge.dir.resolve("key.pem")))).isEqualTo("rw-------");
        assertThat(keyMatchesCertificate(edge.dir)).isTrue();

        // Renewal makes a new key on the host too.
        Response renewed = app.send("POST", "/api/v1/managed-certificates/edge/renew", admin, null, null);
        assertThat(renewed.status()).as(renewed.toString()).isEqualTo(200);
        String second = renewed.json().get("serial").asString();
        assertThat(awaitDeployment(app, "edge", "edge-a", second, Duration.ofSeconds(60)).get("status").asString()).isEqualTo("VERIFIED");
        assertThat(servedSerial(edge.port)).isEqualTo(second);
        assertThat(Files.readString(edge.dir.resolve("key.pem"))).isNotEqualTo(firstKey);
        assertThat(keyMatchesCertificate(edge.dir)).isTrue();
        assertThat(Files.exists(edge.dir.resolve("key.pem.certwright-new"))).isFalse();

        // Certwright holds no key for the slot, and will not hand one out.
        try (var c = database.connect(); var s = c.prepareStatement("SELECT COUNT(*) FROM certificate_key k JOIN certificate c ON c.id = "
                + "k.certificate_id WHERE c.managed_name = 'edge'"); var rs = s.executeQuery()) {
            rs.next();
            assertThat(rs.getLong(1)).isZero();
        }
        String service = app.postJson("/api/v1/service-tokens", admin, Map.of("name", "edge-host", "managedCertificates", List.of("edge")))
                .json().get("token").asString();
        Response bundle = app.get("/api/v1/managed-certificates/edge/bundle", service);
        assertThat(bundle.status()).isEqualTo(404);
        assertThat(bundle.body()).contains("kept on its target");
    }

    static boolean keyMatchesCertificate(Path dir) {
        String fromKey = Commands.run(dir, "openssl", "pkey", "-in", "key.pem", "-pubout").assertSuccess().output().trim();
        String fromCert = Commands.run(dir, "openssl", "x509", "-in", "fullchain.pem", "-noout", "-pubkey").assertSuccess().output().trim();
        return fromKey.equals(fromCert);
    }

    static List<Path> leftovers(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().contains(".certwright-")).toList();
        }
    }

    static String json(Map<String, Object> body) {
        return dev.certwright.support.Json.write(body);
    }
}
