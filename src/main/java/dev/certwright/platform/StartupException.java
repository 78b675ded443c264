package dev.certwright.platform;

/** A setting or a secret that stops startup. The message is one sentence that names it. */
public class StartupException extends RuntimeException {

    public StartupException(String message) {
        super(message);
    }
}
