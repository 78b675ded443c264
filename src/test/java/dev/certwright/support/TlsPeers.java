package dev.certwright.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * nginx and HAProxy from Debian as deployment targets, each on a loopback port with its own config, pid file and
 * logs in a temporary directory, serving a placeholder self-signed certificate until Certwright deploys one.
 */
public final class TlsPeers {

    /**
     * nginx's main configuration for a test: one worker in the foreground, pid, error log and temp files under
     * {@code dir}, the access log there too when asked, and these {@code server} blocks in {@code http}.
     */
    /**
     * HAProxy's configuration for a test: TLS on one address and port with these combined certificate-and-key files
     * (HAProxy picks one by SNI from their names, the first without SNI), answering 200.
     */
    public static String haproxyConfig(String address, int port, List<Path> certificates) {
        StringBuilder crts = new StringBuilder();
        certificates.forEach(c -> crts.append(" crt ").append(c));
        return """
                global
                    maxconn 64
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 30s
                    timeout server 30s
                frontend tls
                    bind %s:%d ssl%s
                    http-request return status 200 content-type text/plain string ok
                """.formatted(address, port, crts);
    }

    public static String nginxConfig(Path dir, boolean accessLog, String servers) {
        return """
                worker_processes 1;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 256; }
                http {
                    access_log %2$s;
                    client_body_temp_path %1$s/tmp/body;
                    proxy_temp_path %1$s/tmp/proxy;
                    fastcgi_temp_path %1$s/tmp/fastcgi;
                    uwsgi_temp_path %1$s/tmp/uwsgi;
                    scgi_temp_path %1$s/tmp/scgi;
                %3$s}
                """.formatted(dir, accessLog ? dir.resolve("access.log") : "off", servers.indent(4));
    }


    private TlsPeers() {
    }

    /** A placeholder key and self-signed certificate, made with openssl. Returns the PEM of the certificate. */
    public static void placeholder(Path dir, String name) {
        Commands.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                name + ".key", "-out", name + ".crt", "-subj", "/CN=placeholder", "-days", "2").assertSuccess();
    }

    /** nginx with {@code -c}, in the foreground, serving fullchain.pem and key.pem from its directory. */
    public static final class Nginx implements AutoCloseable {

        public final Path dir;
        public final int port;
        private final Process process;

        private Nginx(Path dir, int port, Process process) {
            this.dir = dir;
            this.port = port;
            this.process = process;
        }

        public static Nginx start(Path dir) throws IOException {
            Files.createDirectories(dir.resolve("tmp"));
            placeholder(dir, "placeholder");
            Files.copy(dir.resolve("placeholder.crt"), dir.resolve("fullchain.pem"));
            Files.copy(dir.resolve("placeholder.key"), dir.resolve("key.pem"));
            int port = CertwrightProcess.freePort();
            Files.writeString(dir.resolve("nginx.conf"), nginxConfig(dir, false, """
                    server {
                        listen 127.0.0.1:%2$d ssl;
                        server_name web.test;
                        ssl_certificate %1$s/fullchain.pem;
                        ssl_certificate_key %1$s/key.pem;
                        location / { return 200 "ok\\n"; }
                    }
                    """.formatted(dir, port)));
            Process process = new ProcessBuilder("/usr/sbin/nginx", "-c", dir.resolve("nginx.conf").toString(), "-p", dir.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("console.log").toFile()).start();
            Ports.awaitListening(port, Duration.ofSeconds(20), process, dir.resolve("error.log"));
            return new Nginx(dir, port, process);
        }

        /** The reload an admin would fix for this target. */
        public String reloadCommand() {
            return "/usr/sbin/nginx -c " + dir.resolve("nginx.conf") + " -p " + dir + " -s reload";
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

    /** HAProxy in master-worker mode ({@code -W -D}), reloaded by {@code kill -USR2} to the master. */
    public static final class Haproxy implements AutoCloseable {

        public final Path dir;
        public final int port;

        private Haproxy(Path dir, int port) {
            this.dir = dir;
            this.port = port;
        }

        public static Haproxy start(Path dir) throws IOException {
            Files.createDirectories(dir);
            placeholder(dir, "placeholder");
            Files.writeString(dir.resolve("combined.pem"), Files.readString(dir.resolve("placeholder.crt"))
                    + Files.readString(dir.resolve("placeholder.key")));
            int port = CertwrightProcess.freePort();
            Files.writeString(dir.resolve("haproxy.cfg"), haproxyConfig("127.0.0.1", port, List.of(dir.resolve("combined.pem"))));
            Commands.run(dir, "/usr/sbin/haproxy", "-W", "-D", "-f", dir.resolve("haproxy.cfg").toString(), "-p", dir.resolve("haproxy.pid").toString())
                    .assertSuccess();
            Ports.awaitListening(port, Duration.ofSeconds(20), null, null);
            return new Haproxy(dir, port);
        }

        public String reloadCommand() {
            return "kill -USR2 $(cat " + dir.resolve("haproxy.pid") + ")";
        }

        @Override
        public void close() throws IOException {
            Path pid = dir.resolve("haproxy.pid");
            if (Files.exists(pid)) {
                Commands.run(dir, "sh", "-c", "kill $(head -1 " + pid + ")");
            }
        }
    }
}
