package dev.certwright.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A copy of {@code ca-config/dev.yml} for one test, with the {@code short-lived} profile's {@code minValidity} lowered,
 * so that a test that waits for a certificate to come due or expire can issue one that lives seconds, not the minute
 * dev.yml allows. Everything else (issuers, other profiles, policy) is the file as shipped.
 */
public final class TestCaConfig {

    private TestCaConfig() {
    }

    /**
     * Writes the copy into the folder and returns the application argument that selects it.
     *
     * @param dir the test's working folder
     * @param minValidity the shortest life the short-lived profile then admits
     */
    public static String shortLivedDownTo(Path dir, Duration minValidity) {
        try {
            String dev = Files.readString(CertwrightProcess.PROJECT.resolve("ca-config/dev.yml"), StandardCharsets.UTF_8);
            // The profile's block: its key at two spaces, its settings at four, up to the next line that is not a setting.
            java.util.regex.Matcher block = java.util.regex.Pattern.compile("(?m)^  short-lived:\n(?:    .*\n)*").matcher(dev);
            if (!block.find() || !block.group().contains("\n    minValidity: PT1M\n")) {
                throw new AssertionError("ca-config/dev.yml no longer has the short-lived profile with minValidity PT1M this copy lowers");
            }
            String copy = dev.substring(0, block.start()) + block.group().replace("\n    minValidity: PT1M\n", "\n    minValidity: " + minValidity + "\n")
                    + dev.substring(block.end());
            Files.createDirectories(dir);
            Path file = dir.resolve("ca-config.yml");
            Files.writeString(file, copy, StandardCharsets.UTF_8);
            return "--certwright.ca-config=" + file;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
