package dev.certwright.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion with a time limit, capturing its output. */
public final class Commands {

    private Commands() {
    }

    /** What a command printed and how it exited. */
    public record Result(int exitCode, String output) {

        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("command failed with exit code " + exitCode + ":\n" + output);
            }
            return this;
        }
    }

    /** Runs the command with a 120 s limit: past it the command is killed and the test fails, whatever it printed. */
    public static Result run(Path directory, String... command) {
        return run(directory, environment -> { }, List.of(command));
    }

    /** The same, with the environment changed first (passphrases a command reads from it, for instance). */
    public static Result run(Path directory, java.util.function.Consumer<java.util.Map<String, String>> environment, List<String> command) {
        Path output = null;
        try {
            output = Files.createTempFile("certwright-command-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true)
                    .redirectOutput(output.toFile());
            environment.accept(builder.environment());
            Process process = builder.start();
            process.getOutputStream().close();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("command timed out after 120 s: " + String.join(" ", command) + "\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.getFirst() + " (is it installed? scripts/test.sh installs it)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        } finally {
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temp file left behind
                }
            }
        }
    }
}
