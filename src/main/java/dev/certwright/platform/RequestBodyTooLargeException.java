package dev.certwright.platform;

/** A request body above {@code certwright.max-request-bytes}. */
public class RequestBodyTooLargeException extends RuntimeException {

    public RequestBodyTooLargeException(int limit) {
        super("the request body is larger than " + limit + " bytes");
    }
}
