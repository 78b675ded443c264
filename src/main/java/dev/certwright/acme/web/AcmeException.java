package dev.certwright.acme.web;

import java.util.Map;

/**
 * An ACME request refused with a problem type; {@code extra} adds members (subproblems, algorithms) to the document.
 * Its kind follows the problem's status; {@code AcmeExceptionHandler} answers it under {@code /acme} with the ACME URN.
 */
public class AcmeException extends dev.certwright.platform.CertwrightException {

    private final AcmeProblem problem;
    private final Map<String, Object> extra;
    private java.time.Duration retryAfter;

    public AcmeException(AcmeProblem problem, String detail) {
        this(problem, detail, Map.of());
    }

    public AcmeException(AcmeProblem problem, String detail, Map<String, Object> extra) {
        super(Kind.of(problem.status()), problem.name(), detail);
        this.problem = problem;
        this.extra = extra;
    }

    /** RFC 8555 §6.6: a rateLimited answer says when to try again. */
    public AcmeException retryAfter(java.time.Duration wait) {
        this.retryAfter = wait;
        return this;
    }

    public java.time.Duration retryAfter() {
        return retryAfter;
    }

    public AcmeProblem problem() {
        return problem;
    }

    public Map<String, Object> extra() {
        return extra;
    }

    /** RFC 8555 §6.7.1 subproblem for one identifier. */
    public static Map<String, Object> subproblem(AcmeProblem problem, String detail, String type, String value) {
        return Map.of("type", problem.urn(), "detail", detail, "identifier", Map.of("type", type, "value", value));
    }
}
