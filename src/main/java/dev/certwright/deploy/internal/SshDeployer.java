package dev.certwright.deploy.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.digest.BuiltinDigests;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.core.CoreModuleProperties;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClientFactory;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;
import org.springframework.stereotype.Component;

import dev.certwright.deploy.DeployTarget;
import dev.certwright.deploy.DeploymentStatus;

/**
 * Runs one deployment on one target over SSH (Apache MINA SSHD), step by step:
 * <ol>
 * <li>connect; the host key must match the target's pinned SHA256 fingerprint, else nothing is written;</li>
 * <li>upload each file over SFTP to a temporary file beside its destination, created exclusively, with its mode set
 * before any content is written;</li>
 * <li>copy each current file to {@code <file>.previous}, then rename the new one into place
 * ({@code posix-rename@openssh.com}: atomic, replaces the old);</li>
 * <li>run the target's reload command (fixed by an admin; no user data is ever added to it);</li>
 * <li>probe the endpoint over TLS until it serves the new leaf, within the probe timeout;</li>
 * <li>if the reload fails or the probe does not see the new leaf: put the previous files back the same way (a file
 * that did not exist before is removed), reload again, and report ROLLED_BACK.</li>
 * </ol>
 * Nothing here goes through a remote shell but the admin's reload command and, in on-host key mode, openssl with
 * arguments quoted by {@link #quote}.
 */
@Component
public class SshDeployer {

    private final DeployProperties properties;
    private final TlsProbe probe;
    private final SecureRandom random;

    SshDeployer(DeployProperties properties, TlsProbe probe, SecureRandom random) {
        this.properties = properties;
        this.probe = probe;
        this.random = random;
    }

    /** What a deployment ended with, and how long each step took. {@code conclusive}: another attempt would not change it. */
    record Outcome(DeploymentStatus status, String reason, Map<String, Long> steps, boolean conclusive) {

        Outcome(DeploymentStatus status, String reason, Map<String, Long> steps) {
            this(status, reason, steps, status == DeploymentStatus.VERIFIED);
        }

        /** An attempt that is moot (its instance was superseded, its target deleted): not retried. */
        static Outcome moot(String reason) {
            return new Outcome(DeploymentStatus.FAILED, reason, Map.of(), true);
        }

        String stepsText() {
            StringBuilder out = new StringBuilder();
            steps.forEach((step, ms) -> out.append(out.isEmpty() ? "" : " ").append(step).append('=').append(ms));
            return out.toString();
        }
    }

    /** Something went wrong in a step: the message is the reason recorded. */
    static final class StepFailed extends Exception {

        StepFailed(String message) {
            super(message);
        }
    }

    /** An open, authenticated connection to a target, closed with its client. */
    final class Connection implements AutoCloseable {

        private final SshClient client;
        final ClientSession session;
        final SftpClient sftp;

        private Connection(SshClient client, ClientSession session, SftpClient sftp) {
            this.client = client;
            this.session = session;
            this.sftp = sftp;
        }

        /** Runs a command and returns its output; fails on a non-zero exit or a timeout. */
        String exec(String command, String what) throws StepFailed {
            try (ChannelExec channel = session.createExecChannel(command)) {
                ByteArrayOutputStream output = new ByteArrayOutputStream();
                channel.setOut(output);
                channel.setErr(output);
                channel.open().verify(properties.commandTimeout());
                Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), properties.commandTimeout());
                String text = output.toString(StandardCharsets.UTF_8).strip();
                if (events.contains(ClientChannelEvent.TIMEOUT)) {
                    throw new StepFailed(what + " did not finish within " + properties.commandTimeout());
                }
                Integer status = channel.getExitStatus();
                if (status == null || status != 0) {
                    throw new StepFailed(what + " exited with status " + status + (text.isEmpty() ? "" : ": " + abbreviate(text)));
                }
                return text;
            } catch (IOException e) {
                throw new StepFailed(what + " could not run: " + e.getMessage());
            }
        }

        @Override
        public void close() {
            try {
                sftp.close();
            } catch (IOException | RuntimeException e) {
                // the session goes with the client
            }
            client.stop();
        }
    }

    /**
     * Connects and authenticates with Certwright's identity, checking the host key against the pin during the key
     * exchange: a mismatch ends the connection before any file is touched.
     */
    Connection connect(DeployTarget target, KeyPair identity) throws StepFailed {
        AtomicReference<String> presented = new AtomicReference<>();
        SshClient client = SshClient.setUpDefaultClient();
        client.setServerKeyVerifier((session, remote, key) -> {
            String fingerprint = KeyUtils.getFingerPrint(BuiltinDigests.sha256, key);
            presented.set(fingerprint);
            return fingerprint.equals("SHA256:" + target.pinnedFingerprint());
        });
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY); // no ~/.ssh/config
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER); // no ~/.ssh/id_*: only our identity
        CoreModuleProperties.IDLE_TIMEOUT.set(client, properties.commandTimeout().plus(properties.probeTimeout()));
        client.start();
        ClientSession session = null;
        try {
            long deadline = System.nanoTime() + properties.connectTimeout().toNanos();
            session = client.connect(target.user(), target.host(), target.port()).verify(properties.connectTimeout()).getSession();
            session.addPublicKeyIdentity(identity);
            session.auth().verify(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            return new Connection(client, session, SftpClientFactory.instance().createSftpClient(session));
        } catch (IOException | RuntimeException e) {
            client.stop();
            if (presented.get() != null && !presented.get().equals("SHA256:" + target.pinnedFingerprint())) {
                throw new StepFailed("host key " + presented.get() + " of " + target.host() + ":" + target.port()
                        + " does not match the pinned SHA256:" + target.pinnedFingerprint() + "; nothing was written");
            }
            throw new StepFailed("cannot connect to " + target.user() + "@" + target.host() + ":" + target.port() + " within "
                    + properties.connectTimeout() + ": " + describe(e));
        }
    }

    /**
     * Deploys the files (by role, see {@link DeployTarget.Paths#byRole()}) and checks that the probe sees the leaf.
     * {@code stagedKey}: in on-host key mode, the key the host made for this instance, installed as the key file if it
     * is still there (a redeployment of an installed instance leaves the key file as it is).
     */
    Outcome deploy(DeployTarget target, KeyPair identity, Map<String, byte[]> files, String expectedFingerprint, String stagedKey) {
        Map<String, Long> steps = new LinkedHashMap<>();
        long t = System.nanoTime();
        try (Connection connection = connect(target, identity)) {
            steps.put("connect", ms(t));
            return install(connection, target, files, expectedFingerprint, stagedKey, steps);
        } catch (StepFailed e) {
            steps.putIfAbsent("connect", ms(t));
            return new Outcome(DeploymentStatus.FAILED, e.getMessage(), steps);
        }
    }

    /** Steps 2 to 6 on an open connection. */
    Outcome install(Connection connection, DeployTarget target, Map<String, byte[]> files, String expectedFingerprint, String stagedKey,
            Map<String, Long> steps) {
        SftpClient sftp = connection.sftp;
        Map<String, String> paths = target.paths().byRole();
        Map<String, String> temporary = new LinkedHashMap<>();
        long t = System.nanoTime();
        try {
            OpenSSHPosixRenameExtension rename = sftp.getExtension(OpenSSHPosixRenameExtension.class);
            if (rename == null || !rename.isSupported()) {
                return new Outcome(DeploymentStatus.FAILED, "the SSH server lacks posix-rename@openssh.com, needed to replace files atomically", steps);
            }
            if (stagedKey != null && exists(sftp, stagedKey)) {
                temporary.put("key", stagedKey); // made on the host: nothing to upload, installed like the others
            }
            // 2. Upload next to each destination.
            for (var file : files.entrySet()) {
                if (file.getKey().equals("key") && temporary.containsKey("key")) {
                    continue;
                }
                String destination = paths.get(file.getKey());
                String tmp = besides(destination);
                temporary.put(file.getKey(), tmp);
                write(sftp, tmp, file.getValue(), modeFor(target, file.getKey()), target);
            }
            steps.put("upload", ms(t));
        } catch (IOException e) {
            removeQuietly(sftp, temporary.values().stream().filter(p -> !p.equals(stagedKey)).toList());
            return new Outcome(DeploymentStatus.FAILED, "upload failed: " + describe(e) + "; nothing was replaced", steps);
        }
        // 3. Keep the current files as .previous, then rename the new ones into place.
        t = System.nanoTime();
        List<String> installed = new ArrayList<>();
        Map<String, Boolean> hadPrevious = new LinkedHashMap<>();
        OpenSSHPosixRenameExtension rename = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        try {
            for (var tmp : temporary.entrySet()) {
                String destination = paths.get(tmp.getKey());
                if (tmp.getValue().equals(stagedKey)) {
                    // A key made on the host is only ever renamed, never read: the old one becomes .previous.
                    boolean had = exists(sftp, destination);
                    hadPrevious.put(destination, had);
                    if (had) {
                        rename.posixRename(destination, destination + ".previous");
                    }
                    rename.posixRename(stagedKey, destination);
                    installed.add(destination);
                    continue;
                }
                byte[] current = readIfExists(sftp, destination);
                hadPrevious.put(destination, current != null);
                if (current != null) {
                    String previousTmp = besides(destination);
                    write(sftp, previousTmp, current, modeFor(target, tmp.getKey()), target);
                    rename.posixRename(previousTmp, destination + ".previous");
                }
                rename.posixRename(tmp.getValue(), destination);
                installed.add(destination);
            }
            steps.put("install", ms(t));
        } catch (IOException e) {
            removeQuietly(sftp, temporary.values().stream().filter(p -> !p.equals(stagedKey)).toList());
            return rollBack(connection, target, installed, hadPrevious, stagedKey, "installing the files failed: " + describe(e), steps);
        }
        // 4. Reload.
        if (target.reloadCommand() != null) {
            t = System.nanoTime();
            try {
                connection.exec(target.reloadCommand(), "the reload command");
                steps.put("reload", ms(t));
            } catch (StepFailed e) {
                steps.put("reload", ms(t));
                return rollBack(connection, target, installed, hadPrevious, stagedKey, e.getMessage(), steps);
            }
        }
        // 5. Probe until the new leaf is served.
        t = System.nanoTime();
        String served = awaitServed(target, expectedFingerprint);
        steps.put("probe", ms(t));
        if (expectedFingerprint.equals(served)) {
            return new Outcome(DeploymentStatus.VERIFIED, null, steps);
        }
        return rollBack(connection, target, installed, hadPrevious, stagedKey, "the probe of " + target.probe().host() + ":" + target.probe().port()
                + " did not see the new certificate within " + properties.probeTimeout() + " (it served " + served + ")", steps);
    }

    /** Polls the probe until it sees the expected fingerprint or the probe timeout ends; returns what it saw last. */
    String awaitServed(DeployTarget target, String expectedFingerprint) {
        long deadline = System.nanoTime() + properties.probeTimeout().toNanos();
        String served = "nothing";
        while (true) {
            long left = deadline - System.nanoTime();
            try {
                served = probe.servedFingerprint(target.probe(), Duration.ofNanos(Math.max(left, Duration.ofSeconds(1).toNanos())));
                if (served.equals(expectedFingerprint)) {
                    return served;
                }
                served = "SHA-256 " + served;
            } catch (IOException e) {
                served = "nothing: " + describe(e);
            }
            if (System.nanoTime() + Duration.ofMillis(250).toNanos() > deadline) {
                return served;
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return served;
            }
        }
    }

    /** Step 6: the previous files back (or the new ones removed where there were none), and a reload. */
    private Outcome rollBack(Connection connection, DeployTarget target, List<String> installed, Map<String, Boolean> hadPrevious,
            String stagedKey, String why, Map<String, Long> steps) {
        long t = System.nanoTime();
        SftpClient sftp = connection.sftp;
        OpenSSHPosixRenameExtension rename = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        try {
            for (String destination : installed) {
                if (stagedKey != null && destination.equals(target.paths().keyPath())) {
                    // A key made on the host goes back to its staging name, so that a retry can install it again.
                    rename.posixRename(destination, stagedKey);
                    if (Boolean.TRUE.equals(hadPrevious.get(destination))) {
                        rename.posixRename(destination + ".previous", destination);
                    }
                    continue;
                }
                if (Boolean.TRUE.equals(hadPrevious.get(destination))) {
                    byte[] previous = readIfExists(sftp, destination + ".previous");
                    if (previous == null) {
                        throw new IOException(destination + ".previous is gone");
                    }
                    String tmp = besides(destination);
                    String role = target.paths().byRole().entrySet().stream().filter(e -> e.getValue().equals(destination))
                            .map(Map.Entry::getKey).findFirst().orElse("certificate");
                    write(sftp, tmp, previous, modeFor(target, role), target);
                    rename.posixRename(tmp, destination);
                } else {
                    sftp.remove(destination);
                }
            }
            if (target.reloadCommand() != null && !installed.isEmpty()) {
                connection.exec(target.reloadCommand(), "the reload command after the rollback");
            }
            steps.put("rollback", ms(t));
            return new Outcome(DeploymentStatus.ROLLED_BACK, why + "; the previous files are back", steps);
        } catch (IOException | StepFailed e) {
            steps.put("rollback", ms(t));
            return new Outcome(DeploymentStatus.FAILED, why + "; the rollback failed too: " + (e instanceof IOException io ? describe(io) : e.getMessage()),
                    steps);
        }
    }

    private int modeFor(DeployTarget target, String role) {
        return role.equals("key") || role.equals("combined") ? target.keyMode() : target.fileMode();
    }

    /** Creates the file exclusively, sets its mode (and owner) before writing a byte, then writes it. */
    private static void write(SftpClient sftp, String path, byte[] content, int mode, DeployTarget target) throws IOException {
        try (SftpClient.CloseableHandle handle = sftp.open(path, EnumSet.of(SftpClient.OpenMode.Write, SftpClient.OpenMode.Create,
                SftpClient.OpenMode.Exclusive))) {
            SftpClient.Attributes attributes = new SftpClient.Attributes().perms(mode);
            if (target.fileUid() != null) {
                attributes.owner(target.fileUid(), target.fileGid());
            }
            sftp.setStat(handle, attributes);
            sftp.write(handle, 0, content);
        }
    }

    private static boolean exists(SftpClient sftp, String path) throws IOException {
        try {
            sftp.stat(path);
            return true;
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return false;
            }
            throw e;
        }
    }

    private static byte[] readIfExists(SftpClient sftp, String path) throws IOException {
        try (InputStream in = sftp.read(path)) {
            return in.readAllBytes();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) {
                return null;
            }
            throw e;
        }
    }

    private static void removeQuietly(SftpClient sftp, Iterable<String> paths) {
        for (String path : paths) {
            try {
                sftp.remove(path);
            } catch (IOException e) {
                // already gone, or never made
            }
        }
    }

    /** A fresh temporary name in the destination's directory, so that the final rename stays on one file system. */
    private String besides(String destination) {
        byte[] bytes = new byte[6];
        random.nextBytes(bytes);
        return destination + ".certwright-" + HexFormat.of().formatHex(bytes) + ".tmp";
    }

    private static long ms(long startNanos) {
        return Duration.ofNanos(System.nanoTime() - startNanos).toMillis();
    }

    static String describe(Exception e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : abbreviate(message);
    }

    private static String abbreviate(String text) {
        String line = text.replaceAll("\\s+", " ");
        return line.length() > 300 ? line.substring(0, 300) + "…" : line;
    }

    /** POSIX shell single-quoting: the text as one word, whatever it holds. */
    public static String quote(String text) {
        return "'" + text.replace("'", "'\\''") + "'";
    }
}
