package dev.certwright.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * How {@link CertwrightProcess} starts the jar: with the JDK's AOT cache that {@code scripts/run.sh} (and
 * {@code scripts/aot-cache.sh}) made from it, when there is one for this very jar and this JDK reads it (25 or newer),
 * else with {@code -jar target/certwright.jar} as before. The cache changes how fast the server starts, never what it
 * does: the same classes from the same jars (scripts/lib/launch.sh).
 */
final class JarLaunch {

    private static final Path DIR = CertwrightProcess.PROJECT.resolve("target/certwright-launch");

    private JarLaunch() {
    }

    /**
     * Spring AOT's bean definitions, which the build makes (the pom's process-aot), as scripts/lib/launch.sh starts the
     * server: what runs is what an operator runs (decision 64).
     */
    private static final List<String> SPRING_AOT = List.of("-Dspring.aot.enabled=true", "-XX:-DontCompileHugeMethods");

    /** The java arguments that select the code to run: {@code -Dspring.aot.enabled=true … [-XX:AOTCache=…] -jar <jar>}. */
    static List<String> arguments(Path jar) {
        Path extracted = DIR.resolve("certwright.jar");
        Path cache = DIR.resolve("certwright.aot");
        Path stamp = DIR.resolve("source.stamp");
        try {
            if (Runtime.version().feature() >= 25 && Files.isRegularFile(extracted) && Files.isRegularFile(cache) && Files.size(cache) > 0
                    && Files.isRegularFile(stamp)
                    // The extracted jar was made from this jar (scripts/lib/launch.sh writes "<size> <mtime seconds>"), and
                    // the cache after it: a stale copy would run old code, so it is never used.
                    && Files.readString(stamp, StandardCharsets.US_ASCII).trim().equals(Files.size(jar) + " "
                            + Files.getLastModifiedTime(jar).to(TimeUnit.SECONDS))
                    && Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(stamp)) >= 0) {
                return Stream.concat(SPRING_AOT.stream(), Stream.of("-XX:AOTCache=" + cache.toAbsolutePath(), "-jar",
                        extracted.toAbsolutePath().toString())).toList();
            }
        } catch (IOException e) {
            // no usable cache: the plain start below
        }
        return Stream.concat(SPRING_AOT.stream(), Stream.of("-jar", jar.toString())).toList();
    }
}
