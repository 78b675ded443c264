package dev.certwright.platform;

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
}
