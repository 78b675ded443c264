package dev.certwright.acme.web;

import org.springframework.http.HttpStatus;

/** The ACME error types of RFC 8555 §6.7, each with the HTTP status it is answered with. */
public enum AcmeProblem {
    accountDoesNotExist(HttpStatus.BAD_REQUEST),
    /** RFC 9773 §7.4. */
    alreadyReplaced(HttpStatus.CONFLICT),
    alreadyRevoked(HttpStatus.BAD_REQUEST),
    badCSR(HttpStatus.BAD_REQUEST),
    badNonce(HttpStatus.BAD_REQUEST),
    badPublicKey(HttpStatus.BAD_REQUEST),
    badRevocationReason(HttpStatus.BAD_REQUEST),
    badSignatureAlgorithm(HttpStatus.BAD_REQUEST),
    caa(HttpStatus.FORBIDDEN),
    connection(HttpStatus.BAD_REQUEST),
    dns(HttpStatus.BAD_REQUEST),
    externalAccountRequired(HttpStatus.UNAUTHORIZED),
    incorrectResponse(HttpStatus.FORBIDDEN),
    invalidContact(HttpStatus.BAD_REQUEST),
    malformed(HttpStatus.BAD_REQUEST),
    orderNotReady(HttpStatus.FORBIDDEN),
    rateLimited(HttpStatus.TOO_MANY_REQUESTS),
    rejectedIdentifier(HttpStatus.BAD_REQUEST),
    serverInternal(HttpStatus.INTERNAL_SERVER_ERROR),
    tls(HttpStatus.BAD_REQUEST),
    unauthorized(HttpStatus.FORBIDDEN),
    unsupportedContact(HttpStatus.BAD_REQUEST),
    unsupportedIdentifier(HttpStatus.BAD_REQUEST),
    userActionRequired(HttpStatus.FORBIDDEN);

    private final HttpStatus status;

    AcmeProblem(HttpStatus status) {
        this.status = status;
    }

    public HttpStatus status() {
        return status;
    }

    /** The problem type URN. */
    public String urn() {
        return "urn:ietf:params:acme:error:" + name();
    }
}
