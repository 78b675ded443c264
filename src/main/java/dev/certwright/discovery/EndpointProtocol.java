package dev.certwright.discovery;

/** How a handshake on an endpoint begins: TLS at once, or STARTTLS in the port's plaintext protocol. */
public enum EndpointProtocol {
    /** TLS from the first byte. */
    TLS,
    /** SMTP STARTTLS (RFC 3207), on 25 and 587. */
    SMTP,
    /** IMAP STARTTLS (RFC 9051 §6.2.1), on 143. */
    IMAP,
    /** The LDAP StartTLS extended operation (RFC 4511 §4.14), on 389. */
    LDAP;

    /** The protocol scanned on a port by default: STARTTLS on the ports that speak it in plaintext, TLS on any other. */
    static EndpointProtocol forPort(int port) {
        return switch (port) {
            case 25, 587 -> SMTP;
            case 143 -> IMAP;
            case 389 -> LDAP;
            default -> TLS;
        };
    }

    /** As {@link #forPort(int)}, with the STARTTLS ports {@code certwright.discovery.starttls-ports} adds (port to protocol). */
    static EndpointProtocol forPort(int port, java.util.Map<Integer, EndpointProtocol> extra) {
        EndpointProtocol configured = extra.get(port);
        return configured != null ? configured : forPort(port);
    }
}
