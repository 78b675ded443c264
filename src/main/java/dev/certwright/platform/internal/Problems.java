package dev.certwright.platform.internal;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/** Builds RFC 9457 problem documents with Certwright's problem types, {@code urn:certwright:problem:<slug>}. */
public final class Problems {

    private Problems() {
    }

    public static ProblemDetail of(HttpStatus status, String slug, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(URI.create("urn:certwright:problem:" + slug));
        problem.setTitle(status.getReasonPhrase());
        return problem;
    }

    /**
     * Under {@code /acme/} every error is an ACME problem (RFC 8555 §6.7), also those raised before any ACME handler
     * runs (no such resource, wrong method, body over the size limit, a path the firewall refuses): a client's fault is
     * {@code malformed}, too many requests {@code rateLimited}, and only a fault of ours {@code serverInternal}.
     * Elsewhere the problem is left as it is.
     *
     * @param path the request URI as received (not decoded), or null
     */
    static ProblemDetail forPath(ProblemDetail problem, String path) {
        if (path != null && path.startsWith("/acme/")) {
            int status = problem.getStatus();
            String type = status >= 500 ? "serverInternal" : status == 429 ? "rateLimited" : "malformed";
            problem.setType(URI.create("urn:ietf:params:acme:error:" + type));
        }
        return problem;
    }
}
