package dev.certwright.policy.internal;

/** The CA configuration is invalid. The message is one sentence that names the file and the key. */
public class CaConfigException extends RuntimeException {

    public CaConfigException(String message) {
        super(message);
    }
}
