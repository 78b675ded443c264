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

    public String directory() {
        return base + "/directory";
    }

    public String newNonce() {
        return base + "/new-nonce";
    }

    public String newAccount() {
        return base + "/new-account";
    }

    public String newOrder() {
        return base + "/new-order";
    }

    public String revokeCert() {
        return base + "/revoke-cert";
    }

    public String keyChange() {
        return base + "/key-change";
    }

    public String renewalInfo() {
        return base + "/renewal-info";
    }

    public String account(long id) {
        return base + "/acct/" + id;
    }

    public String orders(long accountId) {
        return base + "/acct/" + accountId + "/orders";
    }

    public String order(long id) {
        return base + "/order/" + id;
    }

    public String finalize(long orderId) {
        return base + "/order/" + orderId + "/finalize";
    }

    public String authorization(long id) {
        return base + "/authz/" + id;
    }

    public String challenge(long id) {
        return base + "/chall/" + id;
    }

    public String certificate(long orderId) {
        return base + "/cert/" + orderId;
    }

    /** The account id in a kid URL, or -1 when it is not one of ours. */
    public long accountId(String kid) {
        String prefix = base + "/acct/";
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
        return base + request.getRequestURI().substring((request.getContextPath() + "/acme").length());
    }
}
