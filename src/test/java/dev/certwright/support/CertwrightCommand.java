package dev.certwright.support;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged jar run as a command ({@code java -jar target/certwright.jar backup …}, or one of the scripts that run it),
 * with an environment of the test's choosing: the passphrases travel only there, as an operator's would. The
 * environment starts without any {@code CERTWRIGHT_*} or {@code SPRING_*} variable of the test JVM.
 */
public final class CertwrightCommand {

    private CertwrightCommand() {
    }

    /** {@code java -jar target/certwright.jar <args>} in {@code directory}, within 120 s. */
    public static Commands.Result jar(Path directory, Map<String, String> environment, String... args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-jar");
        command.add(CertwrightProcess.JAR.toString());
        command.addAll(List.of(args));
        return run(directory, environment, command);
    }

    /** A script of the project's ({@code scripts/backup.sh}), with {@code CERTWRIGHT_JAR} set to the packaged jar. */
    public static Commands.Result script(Path directory, Map<String, String> environment, String script, String... args) {
        List<String> command = new ArrayList<>();
        command.add(CertwrightProcess.PROJECT.resolve(script).toString());
        command.addAll(List.of(args));
        Map<String, String> withJar = new java.util.HashMap<>(environment);
        withJar.put("CERTWRIGHT_JAR", CertwrightProcess.JAR.toString());
        withJar.putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        return run(directory, withJar, command);
    }

    private static Commands.Result run(Path directory, Map<String, String> environment, List<String> command) {
        return Commands.run(directory, variables -> {
            variables.keySet().removeIf(k -> (k.startsWith("CERTWRIGHT_") && !k.equals("CERTWRIGHT_PROJECT_DIR")) || k.startsWith("SPRING_"));
            variables.putAll(environment);
        }, command);
    }
}
