package dev.certwright.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.junit.jupiter.api.Assumptions;

/**
 * Real TLS servers on loopback for discovery tests: {@code openssl s_server} with a second certificate by SNI, and a
 * STARTTLS front (SMTP, IMAP or LDAP, spoken by this class) that hands the connection to an {@code openssl s_server}
 * once STARTTLS is agreed: OpenSSL 3.0's s_server has no {@code -starttls} (only s_client has), so the plaintext part is
 * ours and the TLS is openssl's.
 */
public final class DiscoveryPeers {

    private DiscoveryPeers() {
    }

    /** Fails when a peer is missing and CI=true (the suite must not pass without it), skips otherwise. */
    public static void require(String... executables) {
        for (String executable : executables) {
            boolean present = Files.isExecutable(Path.of(executable));
            if ("true".equals(System.getenv("CI"))) {
                if (!present) {
                    throw new AssertionError(executable + " is missing, and CI=true: install it (scripts/test.sh lists the packages)");
                }
            } else {
                Assumptions.assumeTrue(present, executable + " is not installed");
            }
        }
    }

    /** A self-signed EC certificate for the DNS names, its key beside it: {@code dir/name.crt}, {@code dir/name.key}. */
    public static void selfSigned(Path dir, String name, String... dnsNames) {
        String san = "subjectAltName=" + String.join(",", java.util.Arrays.stream(dnsNames).map(n -> "DNS:" + n).toList());
        Commands.run(dir, "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".crt", "-subj", "/CN=" + dnsNames[0], "-days", "30", "-addext", san).assertSuccess();
    }

    /**
     * An nginx configuration serving each of {@code names} ({@code dir/NAME.crt} for {@code NAME.test}) by SNI on one
     * address and port, the first as the default server; pid, logs and temp files under {@code dir}. Returns its path.
     */
    public static Path nginxBySni(Path dir, String address, int port, List<String> names) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        StringBuilder servers = new StringBuilder();
        for (String name : names) {
            servers.append("""
                    server {
                        listen %2$s:%3$d ssl%5$s;
                        server_name %4$s.test;
                        ssl_certificate %1$s/%4$s.crt;
                        ssl_certificate_key %1$s/%4$s.key;
                        location / { return 200 "ok\\n"; }
                    }
                    """.formatted(dir, address, port, name, name.equals(names.getFirst()) ? " default_server" : ""));
        }
        Path config = dir.resolve("nginx.conf");
        Files.writeString(config, TlsPeers.nginxConfig(dir, false, servers.toString()));
        return config;
    }

    /**
     * A HAProxy configuration terminating TLS on one address and port with each of {@code names}' certificate (HAProxy
     * picks one by SNI from their names, the first without SNI), answering 200. Returns its path; run it with
     * {@code haproxy -W -D -f CONFIG -p dir/haproxy.pid}.
     */
    public static Path haproxyBySni(Path dir, String address, int port, List<String> names) throws IOException {
        List<Path> pems = new ArrayList<>();
        for (String name : names) {
            Path pem = dir.resolve(name + ".pem");
            Files.writeString(pem, Files.readString(dir.resolve(name + ".crt")) + Files.readString(dir.resolve(name + ".key")));
            pems.add(pem);
        }
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, TlsPeers.haproxyConfig(address, port, pems));
        return config;
    }

    /** {@code openssl s_server} on a loopback port, serving {@code name} by default and {@code sniName} for that server name. */
    public static final class OpensslServer implements AutoCloseable {

        public final int port;
        private final Process process;

        private OpensslServer(int port, Process process) {
            this.port = port;
            this.process = process;
        }

        public static OpensslServer start(Path dir, String name, String sniName, String sniCert) throws IOException {
            int port = CertwrightProcess.freePort();
            List<String> command = new ArrayList<>(List.of("/usr/bin/openssl", "s_server", "-quiet", "-naccept", "1000000", "-accept",
                    "127.0.0.1:" + port, "-cert", name + ".crt", "-key", name + ".key"));
            if (sniName != null) {
                command.addAll(List.of("-servername", sniName, "-cert2", sniCert + ".crt", "-key2", sniCert + ".key"));
            }
            Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("s_server-" + port + ".log").toFile()).redirectInput(ProcessBuilder.Redirect.PIPE).start();
            Ports.awaitListening(port, Duration.ofSeconds(20), process, dir.resolve("s_server-" + port + ".log"));
            return new OpensslServer(port, process);
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

    /** The plaintext protocol a {@link StartTlsFront} speaks before the handshake. */
    public enum Plaintext {
        SMTP, IMAP, LDAP
    }

    /** Speaks a protocol's STARTTLS, then relays the connection to a TLS server on loopback. */
    public static final class StartTlsFront implements AutoCloseable {

        public final int port;
        private final ServerSocket server;
        private final Thread acceptor;

        public StartTlsFront(Plaintext protocol, int tlsPort) throws IOException {
            this(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), protocol, tlsPort);
        }

        private StartTlsFront(ServerSocket server, Plaintext protocol, int tlsPort) {
            this.server = server;
            port = server.getLocalPort();
            acceptor = Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket client = server.accept();
                        Thread.ofVirtual().start(() -> serve(protocol, client, tlsPort));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private static void serve(Plaintext protocol, Socket client, int tlsPort) {
            try (client; Socket tls = new Socket(InetAddress.getLoopbackAddress(), tlsPort)) {
                client.setSoTimeout(10_000);
                InputStream in = client.getInputStream();
                OutputStream out = client.getOutputStream();
                switch (protocol) {
                    case SMTP -> {
                        send(out, "220 mail.test ESMTP\r\n");
                        line(in); // EHLO
                        send(out, "250-mail.test\r\n250-SIZE 1000000\r\n250 STARTTLS\r\n");
                        line(in); // STARTTLS
                        send(out, "220 2.0.0 Ready to start TLS\r\n");
                    }
                    case IMAP -> {
                        send(out, "* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n");
                        String tag = line(in).split(" ")[0];
                        send(out, tag + " OK Begin TLS negotiation now\r\n");
                    }
                    case LDAP -> {
                        new ASN1InputStream(in, 4096).readObject(); // the ExtendedRequest
                        // RFC 4511 §4.12: ExtendedResponse ::= [APPLICATION 24] { resultCode, matchedDN, diagnosticMessage, ... }
                        ASN1Encodable response = new DERTaggedObject(false, BERTags.APPLICATION, 24, new DERSequence(new ASN1Encodable[] {
                                new ASN1Enumerated(0), new DEROctetString(new byte[0]), new DEROctetString(new byte[0])}));
                        out.write(new DERSequence(new ASN1Encodable[] {new ASN1Integer(1), response}).getEncoded());
                        out.flush();
                    }
                }
                Thread up = Thread.ofVirtual().start(() -> relay(in, tls));
                relay(tls.getInputStream(), client);
                up.join(10_000);
            } catch (IOException | InterruptedException e) {
                // the scanner closed the connection
            }
        }

        private static void relay(InputStream from, Socket to) {
            try {
                from.transferTo(to.getOutputStream());
                to.shutdownOutput();
            } catch (IOException e) {
                // closed
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c >= 0 && c != '\n' && line.length() < 1000; c = in.read()) {
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }

        private static void send(OutputStream out, String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            server.close();
            acceptor.interrupt();
        }
    }
}
