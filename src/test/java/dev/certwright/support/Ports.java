package dev.certwright.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Waiting for test peers to listen, and a black-hole host that accepts connections and never answers. */
public final class Ports {

    private Ports() {
    }

    /** Waits until something listens on the loopback port; fails with the peer's log if it exits or takes too long. */
    public static void awaitListening(int port, Duration limit, Process process, Path log) throws IOException {
        try {
            Awaitility.await("127.0.0.1:" + port + " listening").atMost(limit).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(100))
                    .until(() -> listening(port, process, log));
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("nothing listens on 127.0.0.1:" + port + " after " + limit + (log == null ? "" : ": " + Files.readString(log)));
        }
    }

    private static boolean listening(int port, Process process, Path log) throws IOException {
        if (process != null && !process.isAlive() && process.exitValue() != 0) {
            throw new AssertionError("peer exited with " + process.exitValue() + ": " + (log == null ? "" : Files.readString(log)));
        }
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A host that accepts TCP connections and then says nothing: an SSH server that hangs. */
    public static final class BlackHole implements AutoCloseable {

        private final ServerSocket server;
        private final List<Socket> held = new ArrayList<>();
        private final Thread acceptor;

        public BlackHole() throws IOException {
            server = new ServerSocket(0, 16, java.net.InetAddress.getLoopbackAddress());
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket socket = server.accept();
                        synchronized (held) {
                            held.add(socket);
                        }
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        public int port() {
            return server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
            synchronized (held) {
                for (Socket socket : held) {
                    socket.close();
                }
            }
            acceptor.interrupt();
        }
    }
}
