package dev.certwright.platform;

/**
 * A setting or a secret that stops startup. The message is one sentence that names it. Should one ever reach a
 * client, it is a fault of ours (INTERNAL), answered without its message.
 */
public class StartupException extends CertwrightException {

    public StartupException(String message) {
        super(Kind.INTERNAL, "internal-error", message);
    }
}
