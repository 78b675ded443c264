package dev.certwright.platform.internal;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import dev.certwright.platform.StartupException;

/**
 * Bad configuration stops startup with one clear sentence naming the key, not a stack trace. Any module's
 * {@link StartupException} (and the policy module's configuration error, by its name) is reported so.
 */
class StartupFailureAnalyzer extends AbstractFailureAnalyzer<RuntimeException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, RuntimeException cause) {
        Throwable t = rootFailure;
        while (t != null) {
            String type = t.getClass().getSimpleName();
            if (type.equals("CaConfigException") || type.equals("CaException") || t instanceof StartupException) {
                return new FailureAnalysis(t.getMessage(), "Correct the setting named above and start again.", t);
            }
            t = t.getCause();
        }
        return null;
    }
}
