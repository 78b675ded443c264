package dev.certwright.policy;

import java.nio.file.Path;

import dev.certwright.policy.internal.CaConfigLoader;

/**
 * The CA configuration file ({@code certwright.ca-config}): read once at startup, and again when an administrator
 * reloads it. Every read validates the whole file; a bad one is refused with one sentence naming the key.
 */
public final class CaConfigSource {

    private final Path file;

    public CaConfigSource(Path file) {
        this.file = file;
    }

    /** The file as it is now. */
    public CaConfiguration read() {
        return CaConfigLoader.load(file);
    }

    public Path file() {
        return file;
    }
}
