package dev.certwright.platform.internal;

import dev.certwright.platform.CertwrightException;

/** A request body above {@code certwright.max-request-bytes}. */
public class RequestBodyTooLargeException extends CertwrightException {

    public RequestBodyTooLargeException(int limit) {
        super(Kind.CONTENT_TOO_LARGE, "request-too-large", "the request body is larger than " + limit + " bytes");
    }
}
