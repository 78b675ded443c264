package dev.certwright.policy.internal;

import dev.certwright.platform.CertwrightException;

/**
 * The CA configuration is invalid. The message is one sentence that names the file and the key. It stops startup;
 * should it ever reach a client, it is a fault of ours (INTERNAL), answered without its message.
 */
public class CaConfigException extends CertwrightException {

    public CaConfigException(String message) {
        super(Kind.INTERNAL, "internal-error", message);
    }
}
