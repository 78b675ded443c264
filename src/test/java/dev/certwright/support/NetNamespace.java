package dev.certwright.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Assumptions;

/**
 * A Linux network namespace joined to the root namespace by a veth pair on a /30 of TEST-NET-2 (198.51.100.0/24; the
 * machine's own network is 192.0.2.0/24): the root end is {@code X.1}, the namespace end {@code X.2}, so servers run in the
 * namespace ({@link #exec}) listen on an address that is not loopback and a scanner in the root namespace reaches them
 * through a real route. The /30 is one no address or route of the root namespace uses; two test JVMs picking at once
 * are kept apart by a file lock and by checking, after the address is added, that no other interface holds the same
 * /30 (if one does, this one retries another). Needs iproute2 and root (CAP_NET_ADMIN): missing, the test fails under
 * {@code CI=true} and is skipped otherwise, as {@link DiscoveryPeers#require} does. {@link #close} kills what still
 * runs in the namespace and deletes it with its veth; namespaces left by a JVM that died are deleted by the next one.
 */
public final class NetNamespace implements AutoCloseable {

    private static final String IP = "/usr/sbin/ip";
    private static final String PREFIX = "cwd-";
    private static final String NET = "198.51.100.";
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final Path LOCK = Path.of(System.getProperty("java.io.tmpdir"), "certwright-netns.lock");
    private static final long NET_VALUE = 198L << 24 | 51L << 16 | 100L << 8;
    private static final Pattern IPV4 = Pattern.compile("\\b(\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3})(?:/(\\d{1,2}))?\\b");
    private static final Pattern ADDRESS = Pattern.compile("198\\.51\\.100\\.(\\d{1,3})(?:/(\\d{1,2}))?");

    private final String name;
    private final String hostVeth;
    private final int base;
    private boolean closed;

    private NetNamespace(String name, String hostVeth, int base) {
        this.name = name;
        this.hostVeth = hostVeth;
        this.base = base;
    }

    /** Creates the namespace, its veth pair and addresses, with lo and the veth up on both sides. */
    public static NetNamespace create() throws IOException {
        require();
        long pid = ProcessHandle.current().pid();
        int n = COUNTER.incrementAndGet();
        String name = PREFIX + pid + "-" + n;
        // Interface names are at most 15 characters: "cw" + pid (up to 7 digits) + h/n + the counter.
        String hostVeth = "cw" + pid + "h" + n;
        String nsVeth = "cw" + pid + "n" + n;
        removeStale();
        ip("netns", "add", name).assertSuccess();
        boolean done = false;
        try {
            ip("link", "add", hostVeth, "type", "veth", "peer", "name", nsVeth).assertSuccess();
            ip("link", "set", nsVeth, "netns", name).assertSuccess();
            int base = claimSubnet(hostVeth);
            ipIn(name, "addr", "add", NET + (base + 2) + "/30", "dev", nsVeth).assertSuccess();
            ipIn(name, "link", "set", "lo", "up").assertSuccess();
            ipIn(name, "link", "set", nsVeth, "up").assertSuccess();
            ip("link", "set", hostVeth, "up").assertSuccess();
            NetNamespace namespace = new NetNamespace(name, hostVeth, base);
            namespace.awaitLinkUp();
            done = true;
            return namespace;
        } finally {
            if (!done) {
                ip("netns", "del", name);
                ip("link", "del", hostVeth);
            }
        }
    }

    /** The namespace's name, for {@code ip netns exec}. */
    public String name() {
        return name;
    }

    /** The namespace end of the veth, where servers in it listen: {@code X.2}. */
    public String address() {
        return NET + (base + 2);
    }

    /** The root namespace's end of the veth: {@code X.1}, the source address servers see. */
    public String hostAddress() {
        return NET + (base + 1);
    }

    /** The /30 both ends are on, e.g. {@code 198.51.100.4/30}. */
    public String cidr() {
        return NET + base + "/30";
    }

    /** A command run inside the namespace: {@code ip netns exec NAME command...}. It shares the file system and PIDs. */
    public ProcessBuilder exec(String... command) {
        List<String> full = new ArrayList<>(List.of(IP, "netns", "exec", name));
        full.addAll(List.of(command));
        return new ProcessBuilder(full);
    }

    /** Runs a command inside the namespace to completion, as {@link Commands#run} does. */
    public Commands.Result run(Path directory, String... command) {
        return Commands.run(directory, environment -> { }, exec(command).command());
    }

    /**
     * Waits until something listens on the namespace address's port, connecting from the root namespace; fails with
     * the peer's log if the process exits or the limit passes.
     */
    public void awaitListening(int port, Duration limit, Process process, Path log) throws IOException {
        awaitListening(address(), port, limit, process, log);
    }

    /** {@link Ports#awaitListening} for any address, not only loopback. */
    public static void awaitListening(String host, int port, Duration limit, Process process, Path log) throws IOException {
        try {
            Awaitility.await(host + ":" + port + " listening").atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> listening(host, port, process, log));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("nothing listens on " + host + ":" + port + " after " + limit + (log == null ? "" : ": " + read(log)));
        }
    }

    private static boolean listening(String host, int port, Process process, Path log) {
        if (process != null && !process.isAlive()) {
            throw new AssertionError("peer exited with " + process.exitValue() + " before listening on " + host + ":" + port + ": "
                    + (log == null ? "" : read(log)));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log at " + log + ")";
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /** Kills the processes still in the namespace, then deletes it and the veth. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        delete(name);
        ip("link", "del", hostVeth); // usually gone with its peer already
    }

    /** Fails under CI=true, skips otherwise, when ip is missing or this user may not create namespaces. */
    private static void require() {
        DiscoveryPeers.require(IP);
        Commands.Result probe = ip("netns", "list");
        boolean allowed = probe.exitCode() == 0 && isRoot();
        if ("true".equals(System.getenv("CI"))) {
            if (!allowed) {
                throw new AssertionError("network namespaces need root (CAP_NET_ADMIN) and iproute2, and CI=true: " + probe.output());
            }
        } else {
            Assumptions.assumeTrue(allowed, "cannot create network namespaces here (needs root): " + probe.output());
        }
    }

    private static boolean isRoot() {
        try {
            return "0".equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid").toString());
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Adds {@code X.1/30} to the root end of the veth for a free /30 and returns X. Under a file lock shared by test
     * JVMs; and a /30 another interface turns out to hold as well (a JVM without the lock, or a race) is given up.
     */
    private static int claimSubnet(String hostVeth) throws IOException {
        Files.createDirectories(LOCK.getParent());
        try (FileChannel channel = FileChannel.open(LOCK, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock ignored = channel.lock()) {
            Set<Integer> tried = new HashSet<>();
            String lastError = "";
            for (int attempt = 0; attempt < 16; attempt++) {
                Set<Integer> used = usedSubnets();
                used.addAll(tried);
                List<Integer> free = new ArrayList<>();
                for (int base = 0; base < 256; base += 4) {
                    if (!used.contains(base)) {
                        free.add(base);
                    }
                }
                if (free.isEmpty()) {
                    break;
                }
                // Random, so that a JVM not honouring the lock is unlikely to pick the same one.
                int base = free.get(ThreadLocalRandom.current().nextInt(free.size()));
                tried.add(base);
                Commands.Result added = ip("addr", "add", NET + (base + 1) + "/30", "dev", hostVeth);
                if (added.exitCode() != 0) {
                    lastError = added.output();
                    continue;
                }
                if (heldElsewhere(base, hostVeth)) {
                    ip("addr", "del", NET + (base + 1) + "/30", "dev", hostVeth);
                    lastError = NET + base + "/30 is on another interface too";
                    continue;
                }
                return base;
            }
            throw new AssertionError("no free /30 in " + NET + "0/24 for a test network namespace: " + lastError);
        }
    }

    /** The /30s (by their last octet) that an address or a route of the root namespace falls in or covers. */
    private static Set<Integer> usedSubnets() {
        Set<Integer> used = new HashSet<>();
        String seen = ip("-o", "-4", "addr").assertSuccess().output() + "\n" + ip("-4", "route", "show", "table", "all").assertSuccess().output();
        Matcher m = IPV4.matcher(seen);
        while (m.find()) {
            long address = 0;
            for (String octet : m.group(1).split("\\.")) {
                address = address << 8 | (Integer.parseInt(octet) & 0xff);
            }
            int prefix = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
            if (prefix == 0 || prefix > 32) {
                continue; // the default route does not make an address taken
            }
            int common = Math.min(prefix, 30);
            long mask = 0xffffffffL << (32 - common) & 0xffffffffL;
            for (int base = 0; base < 256; base += 4) {
                if (((NET_VALUE | base) & mask) == (address & mask)) {
                    used.add(base);
                }
            }
        }
        return used;
    }

    private static boolean heldElsewhere(int base, String hostVeth) {
        for (String line : ip("-o", "-4", "addr").assertSuccess().output().lines().toList()) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 4 || fields[1].equals(hostVeth)) {
                continue;
            }
            Matcher m = ADDRESS.matcher(fields[3]);
            if (m.matches() && (Integer.parseInt(m.group(1)) & ~3) == base) {
                return true;
            }
        }
        return false;
    }

    /** Deletes namespaces ({@code cwd-PID-N}) whose JVM is gone, with what still runs in them. */
    private static void removeStale() {
        for (String line : ip("netns", "list").output().lines().toList()) {
            String ns = line.split("\\s+")[0];
            if (!ns.startsWith(PREFIX)) {
                continue;
            }
            String[] parts = ns.substring(PREFIX.length()).split("-");
            try {
                long owner = Long.parseLong(parts[0]);
                if (ProcessHandle.of(owner).isEmpty()) {
                    delete(ns);
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
    }

    /** {@code ip netns pids NAME | xargs kill -9}, waiting (bounded) until they are gone, then {@code ip netns del}. */
    private static void delete(String ns) {
        List<ProcessHandle> inside = new ArrayList<>();
        for (String pid : ip("netns", "pids", ns).output().lines().map(String::trim).filter(s -> s.matches("\\d+")).toList()) {
            ProcessHandle.of(Long.parseLong(pid)).ifPresent(inside::add);
        }
        inside.forEach(ProcessHandle::destroyForcibly);
        try {
            Awaitility.await("processes in " + ns + " killed").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).until(() -> ip("netns", "pids", ns).output().isBlank());
        } catch (ConditionTimeoutException e) {
            // zombies of a parent that does not reap them still count; delete anyway
        }
        ip("netns", "del", ns);
    }

    /** The veth is usable once the kernel reports both ends up (carrier on). */
    private void awaitLinkUp() {
        try {
            Awaitility.await(hostVeth + " up").atMost(Duration.ofSeconds(10)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                    .until(() -> ip("-o", "link", "show", "dev", hostVeth).output().contains("LOWER_UP"));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("veth " + hostVeth + " did not come up: " + ip("-o", "link", "show", "dev", hostVeth).output());
        }
    }

    private static Commands.Result ip(String... arguments) {
        List<String> command = new ArrayList<>(List.of(IP));
        command.addAll(List.of(arguments));
        return Commands.run(Path.of("/"), environment -> { }, command);
    }

    private static Commands.Result ipIn(String ns, String... arguments) {
        List<String> command = new ArrayList<>(List.of(IP, "-n", ns));
        command.addAll(List.of(arguments));
        return Commands.run(Path.of("/"), environment -> { }, command);
    }

    @Override
    public String toString() {
        return name + " (" + address() + " in " + cidr() + ")";
    }
}
