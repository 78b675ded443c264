package dev.certwright.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Real STARTTLS servers from Debian, each inside a {@link NetNamespace} on its address, serving a certificate and key
 * the test made (PEM files, e.g. by {@link DiscoveryPeers#selfSigned}): Postfix smtpd on port 25, Dovecot IMAP on 143
 * and OpenLDAP slapd on 389. Each has its own configuration, queue or state and log in a temporary directory of its own
 * (world-traversable, since Postfix and Dovecot drop to their users; the key in it is root's, mode 600, read before
 * they do), runs in the foreground as a child of the test ({@code master -s}, {@code dovecot -F}, {@code slapd -d 0}),
 * and is stopped by {@link Server#close}. A missing server fails the test under {@code CI=true} and skips it otherwise,
 * as {@link DiscoveryPeers#require} does; scripts/test.sh installs them.
 */
public final class StartTlsServers {

    private static final String POSTFIX = "/usr/sbin/postfix";
    private static final String POSTFIX_MASTER = "/usr/lib/postfix/sbin/master";
    private static final String DOVECOT = "/usr/sbin/dovecot";
    private static final String SLAPD = "/usr/sbin/slapd";
    private static final Duration START_LIMIT = Duration.ofSeconds(30);

    private StartTlsServers() {
    }

    /** The three protocols, with their port and the name {@code openssl s_client -starttls} knows them by. */
    public enum Protocol {
        SMTP(25, "smtp"), IMAP(143, "imap"), LDAP(389, "ldap");

        public final int port;
        public final String starttls;

        Protocol(int port, String starttls) {
            this.port = port;
            this.starttls = starttls;
        }
    }

    /** A running server: where it listens, its directory and log; {@link #close} stops it and deletes the directory. */
    public static final class Server implements AutoCloseable {

        private final Protocol protocol;
        private final String host;
        private final Path dir;
        private final Path log;
        private final Process process;

        private Server(Protocol protocol, String host, Path dir, Path log, Process process) {
            this.protocol = protocol;
            this.host = host;
            this.dir = dir;
            this.log = log;
            this.process = process;
        }

        public Protocol protocol() {
            return protocol;
        }

        /** The namespace address it listens on. */
        public String host() {
            return host;
        }

        public int port() {
            return protocol.port;
        }

        /** {@code host:port}, as a scan target. */
        public String target() {
            return host + ":" + protocol.port;
        }

        /** Its configuration, state and log. */
        public Path dir() {
            return dir;
        }

        /** What it logged, for a failing test's message. */
        public String log() {
            try {
                return Files.readString(log);
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        public Process process() {
            return process;
        }

        /** SIGTERM to the server (its master stops its children), SIGKILL to whatever is left after 5 s; deletes its directory. */
        @Override
        public void close() throws IOException {
            stop(process);
            deleteTree(dir);
        }
    }

    /** Fails under CI=true, skips otherwise, unless Postfix, Dovecot and slapd are installed. */
    public static void require() {
        DiscoveryPeers.require(POSTFIX, POSTFIX_MASTER, DOVECOT, SLAPD);
    }

    /** Starts the server for the protocol. */
    public static Server start(Protocol protocol, NetNamespace ns, Path cert, Path key) throws IOException {
        return switch (protocol) {
            case SMTP -> postfix(ns, cert, key);
            case IMAP -> dovecot(ns, cert, key);
            case LDAP -> slapd(ns, cert, key);
        };
    }

    /**
     * Postfix's master with only smtpd (and the services it talks to: anvil, tlsmgr, trivial-rewrite, cleanup, postlogd),
     * no chroot, {@code smtpd_tls_security_level = may}, logging to its stdout ({@code maillog_file = /dev/stdout}, which
     * {@code master -s} leaves open). {@code postfix -c DIR check} creates the queue directories first; master itself is
     * run directly rather than through {@code postfix start-fg}, whose script would stay between the test and master.
     */
    public static Server postfix(NetNamespace ns, Path cert, Path key) throws IOException {
        DiscoveryPeers.require(POSTFIX, POSTFIX_MASTER);
        Path dir = serverDir("postfix", cert, key);
        Files.createDirectories(dir.resolve("queue"));
        Path data = Files.createDirectories(dir.resolve("data"));
        UserPrincipal postfix = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postfix");
        Files.setOwner(data, postfix);
        Files.writeString(dir.resolve("main.cf"), """
                compatibility_level = 3.6
                queue_directory = %1$s/queue
                data_directory = %1$s/data
                mail_owner = postfix
                setgid_group = postdrop
                myhostname = mail.certwright.test
                mydestination =
                mynetworks = 127.0.0.0/8
                inet_interfaces = %2$s
                inet_protocols = ipv4
                maillog_file = /dev/stdout
                alias_maps =
                alias_database =
                local_recipient_maps =
                smtpd_tls_cert_file = %1$s/cert.pem
                smtpd_tls_key_file = %1$s/key.pem
                smtpd_tls_security_level = may
                smtp_tls_security_level = none
                """.formatted(dir, ns.address()));
        Files.writeString(dir.resolve("master.cf"), """
                smtp      inet  n       -       n       -       -       smtpd
                anvil     unix  -       -       n       -       1       anvil
                tlsmgr    unix  -       -       n       1000?   1       tlsmgr
                rewrite   unix  -       -       n       -       -       trivial-rewrite
                cleanup   unix  n       -       n       -       0       cleanup
                postlog   unix-dgram n  -       n       -       1       postlogd
                """);
        // In the namespace: postfix checks that inet_interfaces is a local address.
        Commands.Result check = ns.run(dir, POSTFIX, "-c", dir.toString(), "check");
        if (check.exitCode() != 0) {
            throw new AssertionError("postfix check failed: " + check.output());
        }
        return launch(Protocol.SMTP, ns, dir, POSTFIX_MASTER, "-c", dir.toString(), "-s");
    }

    /** Dovecot with IMAP only, {@code ssl = yes} (STARTTLS on 143, no imaps), a static passdb nobody logs in with. */
    public static Server dovecot(NetNamespace ns, Path cert, Path key) throws IOException {
        DiscoveryPeers.require(DOVECOT);
        Path dir = serverDir("dovecot", cert, key);
        Files.createDirectories(dir.resolve("run"));
        Files.createDirectories(dir.resolve("state"));
        Files.writeString(dir.resolve("dovecot.conf"), """
                base_dir = %1$s/run
                state_dir = %1$s/state
                instance_name = certwright-%3$s
                log_path = /dev/stderr
                stats_writer_socket_path =
                protocols = imap
                listen = %2$s
                ssl = yes
                ssl_cert = <%1$s/cert.pem
                ssl_key = <%1$s/key.pem
                auth_mechanisms = plain
                passdb {
                  driver = static
                  args = password=certwright-test-unused
                }
                userdb {
                  driver = static
                  args = uid=nobody gid=nogroup home=%1$s/home
                }
                mail_location = maildir:%1$s/mail
                service imap-login {
                  inet_listener imap {
                    port = 143
                  }
                  inet_listener imaps {
                    port = 0
                  }
                }
                """.formatted(dir, ns.address(), ns.name()));
        return launch(Protocol.IMAP, ns, dir, DOVECOT, "-F", "-c", dir.resolve("dovecot.conf").toString());
    }

    /** slapd with no database at all (only the root DSE and StartTLS), as root, from a slapd.conf. */
    public static Server slapd(NetNamespace ns, Path cert, Path key) throws IOException {
        DiscoveryPeers.require(SLAPD);
        Path dir = serverDir("slapd", cert, key);
        Files.writeString(dir.resolve("slapd.conf"), """
                pidfile %1$s/slapd.pid
                argsfile %1$s/slapd.args
                TLSCertificateFile %1$s/cert.pem
                TLSCertificateKeyFile %1$s/key.pem
                """.formatted(dir));
        return launch(Protocol.LDAP, ns, dir, SLAPD, "-d", "0", "-h", "ldap://" + ns.address() + ":389/", "-f",
                dir.resolve("slapd.conf").toString());
    }

    private static Server launch(Protocol protocol, NetNamespace ns, Path dir, String... command) throws IOException {
        Path log = dir.resolve(protocol.name().toLowerCase() + ".log");
        Process process = ns.exec(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        process.getOutputStream().close();
        try {
            ns.awaitListening(protocol.port, START_LIMIT, process, log);
        } catch (AssertionError | RuntimeException e) {
            stop(process);
            throw e;
        }
        return new Server(protocol, ns.address(), dir, log, process);
    }

    /** A directory of its own, mode 755, with cert.pem (644) and key.pem (600) copied in. */
    private static Path serverDir(String name, Path cert, Path key) throws IOException {
        Path dir = Files.createTempDirectory("certwright-" + name + "-");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.copy(cert, dir.resolve("cert.pem"));
        Files.setPosixFilePermissions(dir.resolve("cert.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.copy(key, dir.resolve("key.pem"));
        Files.setPosixFilePermissions(dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-------"));
        return dir;
    }

    private static void stop(Process process) {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        try {
            // A test does not need a graceful stop: what has not gone after 5 s is killed.
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            Awaitility.await("children of " + process.pid() + " gone").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
        } catch (ConditionTimeoutException e) {
            // left to NetNamespace.close, which kills what is still in the namespace
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
