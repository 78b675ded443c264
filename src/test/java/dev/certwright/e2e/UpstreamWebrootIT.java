package dev.certwright.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.certwright.support.CertwrightProcess;
import dev.certwright.support.CertwrightProcess.Response;
import dev.certwright.support.Pebble;
import dev.certwright.support.Ports;
import dev.certwright.support.SshHost;
import dev.certwright.support.TestDatabase;

/**
 * The http-01 answer of an upstream order (decision 76) is pushed over SFTP, through a real OpenSSH sshd with the host
 * key pinned, into the {@code webroot} of the deployment target of the slot being ordered; pebble validates against a
 * plain-HTTP nginx serving that webroot, never against Certwright's own listener (pebble's http-01 port is nginx's).
 * Once the certificate is obtained the answer is gone from the webroot, and so it is after an order that fails. Missing peers skip, or fail under CI=true.
 */
class UpstreamWebrootIT {

    @Test
    void theAnswerIsPushedToTheTargetsWebrootServedByNginxAndRemovedAfterwards(@TempDir Path dir) throws Exception {
        Pebble.requireInstalled();
        requireExecutable("/usr/sbin/sshd", "openssh-server");
        requireExecutable("/usr/sbin/nginx", "nginx");
        Path webroot = dir.resolve("webroot");
        Files.createDirectories(webroot);
        // nginx's workers run as nobody: they must be able to walk down to the webroot (@TempDir is 0700).
        for (Path p : List.of(dir, webroot)) {
            Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        int[] pebblePorts = Pebble.ports();
        Path pebbleDir = dir.resolve("pebble");
        String config = UpstreamPebbleIT.config(dir, "https://127.0.0.1:" + pebblePorts[0] + "/dir", Pebble.tlsCertificate(pebbleDir));
        try (SshHost ssh = SshHost.start(dir.resolve("ssh"));
                PlainNginx nginx = PlainNginx.start(dir.resolve("nginx"), webroot);
                CertwrightProcess app = CertwrightProcess.start(new CertwrightProcess.Options(dir.resolve("data"), TestDatabase.h2())
                        .arg(config).arg("--certwright.upstream.allowed-hosts=127.0.0.1/32").arg("--certwright.deploy.max-attempts=1")
                        .arg("--certwright.deploy.probe-timeout=PT2S"));
                Pebble pebble = Pebble.start(pebbleDir, pebblePorts, nginx.port, null)) {
            assertThat(nginx.port).as("pebble must reach nginx, not Certwright's listener").isNotEqualTo(app.httpPort());
            String admin = app.adminToken();
            Response key = app.get("/api/v1/deploy/ssh-key", admin);
            assertThat(key.status()).isEqualTo(200);
            ssh.authorize(key.body());

            Map<String, Object> target = new HashMap<>();
            target.put("name", "web1");
            target.put("kind", "files");
            target.put("host", "127.0.0.1");
            target.put("port", ssh.port());
            target.put("user", System.getProperty("user.name"));
            target.put("hostKeySha256", ssh.hostKeySha256());
            target.put("paths", Map.of("fullchainPath", dir.resolve("deployed-fullchain.pem").toString()));
            target.put("probe", Map.of("host", "127.0.0.1", "port", nginx.port, "serverName", "web.test"));
            target.put("webroot", "/relative/../webroot");
            Response refused = app.postJson("/api/v1/deploy/targets", admin, target);
            assertThat(refused.status()).as(refused.toString()).isEqualTo(400);
            assertThat(refused.contentType()).contains("application/problem+json");
            assertThat(refused.body()).contains("webroot");

            target.put("webroot", webroot.toString());
            Response created = app.postJson("/api/v1/deploy/targets", admin, target);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            assertThat(app.get("/api/v1/deploy/targets/web1", admin).json().get("webroot").asString()).isEqualTo(webroot.toString());

            Response slot = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "web", "profile", "public",
                    "dnsNames", List.of("web.test"), "owner", "team-web", "targets", List.of("web1")));
            assertThat(slot.status()).as(slot + "\n" + ssh.log() + "\nnginx access:\n" + read(nginx.dir.resolve("access.log"))
                    + "\nnginx errors:\n" + read(nginx.dir.resolve("error.log"))).isEqualTo(201);
            String serial = slot.json().get("serial").asString();
            assertThat(app.get("/api/v1/certificates/" + serial, admin).json().get("source").asString()).isEqualTo("UPSTREAM");
            assertThat(pebble.status(serial)).startsWith("200").contains("Valid");

            // Pebble fetched the answer from nginx, out of the webroot the SFTP upload wrote.
            String access = Files.readString(nginx.dir.resolve("access.log"), StandardCharsets.UTF_8);
            assertThat(access).as("nginx served the challenge").containsPattern("GET /\\.well-known/acme-challenge/[A-Za-z0-9_-]+ HTTP/1\\.1\" 200");
            Path challenges = webroot.resolve(".well-known/acme-challenge");
            assertThat(challenges).as("the directories were made over SFTP").isDirectory();
            try (Stream<Path> left = Files.list(challenges)) {
                assertThat(left).as("the answer is removed once the order is done").isEmpty();
            }
            assertThat(app.log()).contains("http-01 answer for web.test written to web1").doesNotContain("BEGIN PRIVATE KEY");

            // A failed order takes its answer away too: nginx answers 404 for bad.test, so pebble refuses it.
            Response broken = app.postJson("/api/v1/managed-certificates", admin, Map.of("name", "broken", "profile", "public",
                    "dnsNames", List.of("bad.test"), "owner", "team-web", "targets", List.of("web1")));
            assertThat(broken.status()).as(broken.toString()).isEqualTo(502);
            assertThat(broken.contentType()).contains("application/problem+json");
            assertThat(app.log()).contains("http-01 answer for bad.test written to web1");
            try (Stream<Path> left = Files.list(challenges)) {
                assertThat(left).as("the answer is removed when the order fails").isEmpty();
            }
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "(none)";
    }

    private static void requireExecutable(String path, String apt) {
        boolean present = Files.isExecutable(Path.of(path));
        if (!present && "true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(path + " is needed: apt-get install " + apt);
        }
        Assumptions.assumeTrue(present, path + " is not installed (apt-get install " + apt + ")");
    }

    /** nginx on a loopback port over plain HTTP, serving only {@code /.well-known/acme-challenge/} from a webroot. */
    static final class PlainNginx implements AutoCloseable {

        final Path dir;
        final int port;
        private final Process process;

        private PlainNginx(Path dir, int port, Process process) {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        static PlainNginx start(Path dir, Path webroot) throws IOException {
            Files.createDirectories(dir.resolve("tmp"));
            int port = CertwrightProcess.freePort();
            Files.writeString(dir.resolve("nginx.conf"), dev.certwright.support.TlsPeers.nginxConfig(dir, true, """
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name web.test;
                        root %2$s;
                        location /.well-known/acme-challenge/ { default_type text/plain; }
                        location / { return 404; }
                    }
                    server {
                        listen 127.0.0.1:%1$d;
                        server_name bad.test;
                        return 404;
                    }
                    """.formatted(port, webroot)));
            Process process = new ProcessBuilder("/usr/sbin/nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile()).start();
            Ports.awaitListening(port, Duration.ofSeconds(20), process, dir.resolve("error.log"));
            return new PlainNginx(dir, port, process);
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
