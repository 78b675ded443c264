package dev.certwright.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real OpenSSH sshd on a loopback port, with its own config, an Ed25519 host key made at run time, and an
 * authorized_keys file the test fills in. The deployer logs in as the user running the tests.
 */
public final class SshHost implements AutoCloseable {

    private final Process process;
    private final Path dir;
    private final int port;

    private SshHost(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    public static SshHost start(Path dir) throws IOException {
        Files.createDirectories(dir);
        Files.createDirectories(Path.of("/run/sshd")); // sshd's privilege separation directory
        Commands.run(dir, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test-host", "-f", dir.resolve("host_ed25519").toString())
                .assertSuccess();
        Files.writeString(dir.resolve("authorized_keys"), "");
        int port = CertwrightProcess.freePort();
        Files.writeString(dir.resolve("sshd_config"), String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + dir.resolve("host_ed25519"),
                "AuthorizedKeysFile " + dir.resolve("authorized_keys"),
                "StrictModes no",
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                "PidFile " + dir.resolve("sshd.pid"),
                "Subsystem sftp internal-sftp",
                "") );
        Process process = new ProcessBuilder("/usr/sbin/sshd", "-D", "-e", "-f", dir.resolve("sshd_config").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        SshHost host = new SshHost(process, dir, port);
        Ports.awaitListening(port, Duration.ofSeconds(20), process, dir.resolve("sshd.log"));
        return host;
    }

    public int port() {
        return port;
    }

    /** The host key's fingerprint as {@code ssh-keygen -lf} prints it: {@code SHA256:...}. */
    public String hostKeySha256() {
        String line = Commands.run(dir, "ssh-keygen", "-l", "-E", "sha256", "-f", dir.resolve("host_ed25519.pub").toString())
                .assertSuccess().output();
        return List.of(line.trim().split("\\s+")).get(1);
    }

    /** Lets this public key (an authorized_keys line) log in. */
    public void authorize(String publicKeyLine) {
        try {
            Files.writeString(dir.resolve("authorized_keys"), publicKeyLine.trim() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String log() throws IOException {
        return Files.readString(dir.resolve("sshd.log"));
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
