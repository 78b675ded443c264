package dev.certwright.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Enumerated;
import org.bouncycastle.asn1.ASN1InputStream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.ASN1TaggedObject;
import org.bouncycastle.asn1.BERTags;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;

import dev.certwright.x509.AnyServerTrust;

/**
 * One TLS handshake that makes no trust decision: it asks what an endpoint serves, not whether a client should trust
 * it, so the trust manager accepts every chain and only keeps it ({@link AnyServerTrust}). It is used for discovery and
 * nothing else: no data is sent over the TLS connection, which is closed after the handshake.
 */
final class TlsHandshake {

    /** The LDAP StartTLS extended operation's name (RFC 4511 §4.14.1). */
    static final String LDAP_START_TLS = "1.3.6.1.4.1.1466.20037";
    private static final int MAX_LINES = 64;

    private TlsHandshake() {
    }

    /** What the endpoint presented: its chain as served, leaf first (RFC 8446 §4.4.2), and the TLS version. */
    record Served(List<X509Certificate> chain, String tlsVersion) {
    }

    /**
     * Connects to the address, speaks STARTTLS first when the protocol asks, and shakes hands with the server name
     * (null: no SNI). The whole exchange is bounded by the timeout.
     */
    static Served handshake(InetAddress address, int port, String serverName, EndpointProtocol protocol, Duration timeout) throws IOException {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Socket plain = new Socket()) {
            plain.connect(new InetSocketAddress(address, port), millis);
            plain.setSoTimeout(millis);
            switch (protocol) {
                case SMTP -> smtpStartTls(plain);
                case IMAP -> imapStartTls(plain);
                case LDAP -> ldapStartTls(plain);
                case TLS -> {
                }
            }
            int left = (int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
            plain.setSoTimeout(left);
            String peerHost = serverName != null ? serverName : address.getHostAddress();
            try (SSLSocket socket = (SSLSocket) AnyServerTrust.socketFactory().createSocket(plain, peerHost, port, false)) {
                SSLParameters parameters = socket.getSSLParameters();
                // RFC 6066 §3: SNI carries a host name; without one the server chooses its default certificate.
                parameters.setServerNames(serverName == null ? List.of() : List.of(new SNIHostName(serverName)));
                parameters.setEndpointIdentificationAlgorithm(null);
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                Certificate[] peer = socket.getSession().getPeerCertificates();
                List<X509Certificate> chain = Arrays.stream(peer).map(X509Certificate.class::cast).toList();
                return new Served(chain, socket.getSession().getProtocol());
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS is not available: " + e.getMessage(), e);
        }
    }

    /** RFC 3207 §4: greeting, EHLO, STARTTLS, then 220 before the handshake. */
    private static void smtpStartTls(Socket socket) throws IOException {
        LineReader in = reader(socket);
        OutputStream out = socket.getOutputStream();
        expectSmtp(in, "220");
        send(out, "EHLO certwright.invalid\r\n");
        expectSmtp(in, "250");
        send(out, "STARTTLS\r\n");
        expectSmtp(in, "220");
    }

    /** A complete SMTP reply (RFC 5321 §4.2.1: "code-" continues, "code " ends) with this code. */
    private static void expectSmtp(LineReader in, String code) throws IOException {
        for (int i = 0; i < MAX_LINES; i++) {
            String line = in.readLine();
            if (line == null || line.length() < 3 || !line.startsWith(code)) {
                throw new IOException("SMTP server answered '" + printable(line) + "', expected " + code);
            }
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return;
            }
        }
        throw new IOException("SMTP reply longer than " + MAX_LINES + " lines");
    }

    /** RFC 9051 §6.2.1 (and RFC 3501): a tagged STARTTLS, answered OK before the handshake. */
    private static void imapStartTls(Socket socket) throws IOException {
        LineReader in = reader(socket);
        String greeting = in.readLine();
        if (greeting == null || !greeting.startsWith("* OK")) {
            throw new IOException("IMAP server greeted '" + printable(greeting) + "'");
        }
        send(socket.getOutputStream(), "a STARTTLS\r\n");
        for (int i = 0; i < MAX_LINES; i++) {
            String line = in.readLine();
            if (line == null) {
                break;
            }
            if (line.startsWith("a ")) {
                if (line.startsWith("a OK")) {
                    return;
                }
                throw new IOException("IMAP server refused STARTTLS: '" + printable(line) + "'");
            }
        }
        throw new IOException("IMAP server did not answer STARTTLS");
    }

    /**
     * RFC 4511 §4.14.1: an ExtendedRequest ([APPLICATION 23] with requestName [0] the StartTLS OID) in an LDAPMessage,
     * and an ExtendedResponse ([APPLICATION 24]) whose resultCode is success (0) before the handshake.
     */
    private static void ldapStartTls(Socket socket) throws IOException {
        ASN1Encodable request = new DERTaggedObject(false, BERTags.APPLICATION, 23,
                new DERSequence(new DERTaggedObject(false, 0, new DEROctetString(LDAP_START_TLS.getBytes(StandardCharsets.US_ASCII)))));
        OutputStream out = socket.getOutputStream();
        out.write(new DERSequence(new ASN1Encodable[] {new ASN1Integer(1), request}).getEncoded());
        out.flush();
        ASN1Primitive answer;
        // Not closed: closing it would close the socket the handshake needs. The limit bounds what one answer may be.
        ASN1InputStream in = new ASN1InputStream(socket.getInputStream(), 16 * 1024);
        answer = in.readObject();
        try {
            ASN1Sequence message = ASN1Sequence.getInstance(answer);
            ASN1TaggedObject op = ASN1TaggedObject.getInstance(message.getObjectAt(1), BERTags.APPLICATION, 24);
            ASN1Sequence response = ASN1Sequence.getInstance(op.getBaseUniversal(false, BERTags.SEQUENCE));
            int resultCode = ASN1Enumerated.getInstance(response.getObjectAt(0)).intValueExact();
            if (resultCode != 0) {
                throw new IOException("LDAP server refused StartTLS with resultCode " + resultCode);
            }
        } catch (IllegalArgumentException | IllegalStateException | ArithmeticException | NullPointerException e) {
            throw new IOException("LDAP server's answer to StartTLS is not an ExtendedResponse", e);
        }
    }

    private static LineReader reader(Socket socket) throws IOException {
        return new LineReader(socket.getInputStream());
    }

    /**
     * Reads CRLF-terminated lines a byte at a time, up to and including the LF: nothing past the reply may be consumed,
     * since the TLS handshake follows it on the same stream (a buffered reader would eat the ClientHello's answer).
     */
    private record LineReader(InputStream in) {

        String readLine() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); ; c = in.read()) {
                if (c < 0) {
                    return line.isEmpty() ? null : line.toString();
                }
                if (c == '\n') {
                    return line.toString();
                }
                if (c != '\r') {
                    line.append((char) c);
                }
                if (line.length() > 4096) {
                    throw new IOException("reply line longer than 4096 characters");
                }
            }
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String printable(String line) {
        if (line == null) {
            return "(connection closed)";
        }
        String clean = line.replaceAll("\\p{Cntrl}", "?");
        return clean.length() > 120 ? clean.substring(0, 120) + "…" : clean;
    }
}
