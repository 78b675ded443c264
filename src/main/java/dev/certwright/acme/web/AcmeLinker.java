package dev.certwright.acme.web;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Every ACME URL, built from {@code certwright.public-https-url} (default {@code https://localhost:${server.port}}), so
 * that the directory, the Location and Link headers and the JWS {@code url} checks (RFC 8555 §6.4) agree whatever name
 * the server is reached by. Never from the request's Host header: that is the client's to write, and URLs built from it
 * would send the next client (or a cache) wherever the previous one said.
 * <p>
 * The base is set on the servlet context at startup ({@link AcmeBaseUrl}), so that the request-scoped callers keep
 * asking for a linker by request.
 */
public final class AcmeLinker {

    /** The servlet context attribute holding the ACME base URL. */
    static final String BASE_ATTRIBUTE = AcmeLinker.class.getName() + ".base";

    private final String base;

    private AcmeLinker(String base) {
        this.base = base;
    }

    public static AcmeLinker of(HttpServletRequest request) {
        Object base = request.getServletContext().getAttribute(BASE_ATTRIBUTE);
        if (base == null) {
            throw new IllegalStateException("the ACME base URL is not set (AcmeBaseUrl)");
        }
        return new AcmeLinker((String) base);
    }

    /**
     * The server-relative paths of the ACME resources, for the controllers' mappings; the links below are built from
     * the same constants, so that a route and its URL cannot drift apart. {@code {id}} is the one path variable.
     */
    public static final class Paths {

        public static final String ROOT = "/acme";
        public static final String DIRECTORY = ROOT + "/directory";
        public static final String NEW_NONCE = ROOT + "/new-nonce";
        public static final String NEW_ACCOUNT = ROOT + "/new-account";
        public static final String NEW_ORDER = ROOT + "/new-order";
        public static final String REVOKE_CERT = ROOT + "/revoke-cert";
        public static final String KEY_CHANGE = ROOT + "/key-change";
        public static final String RENEWAL_INFO = ROOT + "/renewal-info";
        public static final String RENEWAL_INFO_OF = RENEWAL_INFO + "/{certId}";
        public static final String ACCOUNT = ROOT + "/acct/{id}";
        public static final String ACCOUNT_ORDERS = ACCOUNT + "/orders";
        public static final String ORDER = ROOT + "/order/{id}";
        public static final String FINALIZE = ORDER + "/finalize";
        public static final String AUTHORIZATION = ROOT + "/authz/{id}";
        public static final String CHALLENGE = ROOT + "/chall/{id}";
        public static final String CERTIFICATE = ROOT + "/cert/{orderId}";
        /** The same certificate with another chain (RFC 8555 §7.4.2), numbered from 1. */
        public static final String CERTIFICATE_ALTERNATE = CERTIFICATE + "/alternate/{n}";

        private Paths() {
        }
    }

    public String directory() {
        return link(Paths.DIRECTORY);
    }

    public String newNonce() {
        return link(Paths.NEW_NONCE);
    }

    public String newAccount() {
        return link(Paths.NEW_ACCOUNT);
    }

    public String newOrder() {
        return link(Paths.NEW_ORDER);
    }

    public String revokeCert() {
        return link(Paths.REVOKE_CERT);
    }

    public String keyChange() {
        return link(Paths.KEY_CHANGE);
    }

    public String renewalInfo() {
        return link(Paths.RENEWAL_INFO);
    }

    public String account(long id) {
        return link(Paths.ACCOUNT, id);
    }

    public String orders(long accountId) {
        return link(Paths.ACCOUNT_ORDERS, accountId);
    }

    public String order(long id) {
        return link(Paths.ORDER, id);
    }

    public String finalize(long orderId) {
        return link(Paths.FINALIZE, orderId);
    }

    public String authorization(long id) {
        return link(Paths.AUTHORIZATION, id);
    }

    public String challenge(long id) {
        return link(Paths.CHALLENGE, id);
    }

    public String certificate(long orderId) {
        return link(Paths.CERTIFICATE, orderId);
    }

    /** The URL of the certificate with its {@code n}th alternate chain (n from 1; 0 is the certificate URL itself). */
    public String certificate(long orderId, int n) {
        return n == 0 ? certificate(orderId) : certificate(orderId) + Paths.CERTIFICATE_ALTERNATE.substring(Paths.CERTIFICATE.length())
                .replace("{n}", Integer.toString(n));
    }

    /** The URL of a path without variables: the base (which ends in {@link Paths#ROOT}) and the rest of the path. */
    private String link(String path) {
        return base + path.substring(Paths.ROOT.length());
    }

    /** The URL of a path with one {@code {...}} variable, filled with the id. */
    private String link(String path, long id) {
        int open = path.indexOf('{');
        int close = path.indexOf('}', open);
        return base + path.substring(Paths.ROOT.length(), open) + id + path.substring(close + 1);
    }

    /** The account id in a kid URL, or -1 when it is not one of ours. */
    public long accountId(String kid) {
        String prefix = link(Paths.ACCOUNT.substring(0, Paths.ACCOUNT.indexOf('{')));
        if (kid == null || !kid.startsWith(prefix)) {
            return -1;
        }
        try {
            return Long.parseLong(kid.substring(prefix.length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The URL this request was sent to, as the JWS {@code url} header must name it (RFC 8555 §6.4). */
    public String requestUrl(HttpServletRequest request) {
        return base + request.getRequestURI().substring((request.getContextPath() + Paths.ROOT).length());
    }
}
