package dev.certwright.support;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

import dev.certwright.policy.KeyStoreDefinition;

/**
 * A fresh SoftHSM2 token for every test that takes a {@link Token} parameter, and a JVM of its own for that test.
 *
 * <p>Why a JVM per test: SoftHSM2 reads {@code SOFTHSM2_CONF} (where its token directory is) from the process
 * environment, which a running JVM cannot change, and it reads the token directory once, at C_Initialize: a token that
 * softhsm2-util initialises after that is not seen by the process (found while building this). So the test JVM makes
 * the token (a temporary directory, a softhsm2.conf naming it, {@code softhsm2-util --init-token --free}), then runs
 * the very same test method again, selected by its unique id, in a child JVM whose environment has
 * {@code SOFTHSM2_CONF} and the PIN in {@value #PIN_ENV}; the child's JUnit result is the test's result. Everything the
 * child printed must not contain the token's PIN or SO PIN (checked here for every test), and is shown when it fails.
 *
 * <p>The child starts with {@code --add-exports} for the JDK's PKCS#11 wrapper, as the jar's manifest gives it, unless
 * the test is marked {@link WithoutWrapperExports}. Without softhsm2-util, the library or pkcs11-tool the tests are
 * skipped, except when {@code CI=true}: then they fail, saying what to install.
 */
public final class SoftHsm implements BeforeEachCallback, ParameterResolver, InvocationInterceptor {

    /** Debian's softhsm2 package puts the PKCS#11 module here. */
    public static final String LIBRARY = "/usr/lib/softhsm/libsofthsm2.so";
    /** The environment variable that holds the user PIN in the child JVM. */
    public static final String PIN_ENV = "CERTWRIGHT_TEST_HSM_PIN";
    private static final String DIRECTORY_ENV = "CERTWRIGHT_TEST_HSM_DIR";
    private static final String LABEL_ENV = "CERTWRIGHT_TEST_HSM_LABEL";
    private static final String SO_PIN_ENV = "CERTWRIGHT_TEST_HSM_SO_PIN";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The child JVM of this test runs without {@code --add-exports} for sun.security.pkcs11.wrapper. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.METHOD)
    public @interface WithoutWrapperExports {
    }

    /**
     * A SoftHSM2 token made for one test.
     *
     * @param directory holds softhsm2.conf and the token directory
     */
    public record Token(Path directory, String label, String pin, String soPin) {

        public Path conf() {
            return directory.resolve("softhsm2.conf");
        }

        /** ca-config's keyStore section for this token, named by its label. */
        public KeyStoreDefinition definition() {
            return KeyStoreDefinition.of("pkcs11", LIBRARY, label, null, PIN_ENV);
        }

        /** Runs pkcs11-tool on this token, logged in, and returns what it printed; fails the test if it fails. */
        public String pkcs11Tool(String... arguments) {
            List<String> command = new ArrayList<>(List.of("pkcs11-tool", "--module", LIBRARY, "--token-label", label, "--login", "--pin", pin));
            command.addAll(List.of(arguments));
            return Commands.run(directory, environment -> environment.put("SOFTHSM2_CONF", conf().toString()), command).assertSuccess().output();
        }

        /** Another token in the same token directory, with a label and PINs of its own (for a process started after). */
        public Token another() {
            Token other = new Token(directory, "certwright-" + hex(4), hex(8), hex(8));
            initialise(other);
            return other;
        }

        /** The slot id SoftHSM2 gave the token, as softhsm2-util shows it. */
        public long slot() {
            String shown = Commands.run(directory, "softhsm2-util", "--show-slots").assertSuccess().output();
            String[] blocks = shown.split("(?m)^(?=Slot )");
            for (String block : blocks) {
                if (block.matches("(?s).*\\n\\s+Label:\\s+" + java.util.regex.Pattern.quote(label) + "\\s*\\n.*")) {
                    return Long.parseLong(block.substring(5, block.indexOf('\n')).trim());
                }
            }
            throw new AssertionError("softhsm2-util does not show token " + label + ":\n" + shown);
        }
    }

    private static boolean child() {
        return System.getenv(DIRECTORY_ENV) != null;
    }

    /** Each test is skipped, or fails on CI, before its token is made, when the tools are missing. */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (child()) {
            return;
        }
        requireTools();
    }

    /**
     * Skips the test (or the class, from {@code @BeforeAll}) when SoftHSM2 or pkcs11-tool is missing, and fails it
     * instead when {@code CI=true}, saying what to install.
     */
    public static void requireTools() {
        List<String> missing = new ArrayList<>();
        if (!Files.isRegularFile(Path.of(LIBRARY))) {
            missing.add(LIBRARY + " (Debian package softhsm2)");
        }
        if (!onPath("softhsm2-util")) {
            missing.add("softhsm2-util (softhsm2)");
        }
        if (!onPath("pkcs11-tool")) {
            missing.add("pkcs11-tool (opensc)");
        }
        if (!missing.isEmpty()) {
            String message = "the PKCS#11 tests need SoftHSM2 and pkcs11-tool, and this machine lacks " + String.join(", ", missing)
                    + "; scripts/test.sh installs them";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(message);
            }
            Assumptions.abort(message);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Token.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        if (child()) {
            return new Token(Path.of(System.getenv(DIRECTORY_ENV)), System.getenv(LABEL_ENV), System.getenv(PIN_ENV), System.getenv(SO_PIN_ENV));
        }
        try {
            Path directory = Files.createTempDirectory("certwright-softhsm-");
            context.getStore(ExtensionContext.Namespace.create(SoftHsm.class, context.getUniqueId()))
                    .put("directory", (AutoCloseable) () -> delete(directory));
            return newToken(directory);
        } catch (IOException e) {
            throw new AssertionError("cannot make a SoftHSM2 token directory", e);
        }
    }

    /**
     * A new token in a token directory of its own under {@code directory}: a softhsm2.conf naming it, and the token
     * initialised with random PINs. A process sees it if its environment's {@code SOFTHSM2_CONF} names {@link Token#conf()}
     * when it starts (SoftHSM2 reads the directory once, at C_Initialize).
     */
    public static Token newToken(Path directory) {
        try {
            Path tokens = Files.createDirectories(directory.resolve("tokens"));
            Token token = new Token(directory, "certwright-" + hex(4), hex(8), hex(8));
            Files.writeString(token.conf(), "directories.tokendir = " + tokens + "\nobjectstore.backend = file\nlog.level = ERROR\n"
                    + "slots.removable = false\n", StandardCharsets.UTF_8);
            initialise(token);
            return token;
        } catch (IOException e) {
            throw new AssertionError("cannot make a SoftHSM2 token directory", e);
        }
    }

    private static void initialise(Token token) {
        run(token, List.of("softhsm2-util", "--init-token", "--free", "--label", token.label(), "--pin", token.pin(), "--so-pin", token.soPin()));
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        intercept(invocation, invocationContext, context);
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext context) throws Throwable {
        intercept(invocation, invocationContext, context);
    }

    private void intercept(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context)
            throws Throwable {
        Token token = invocationContext.getArguments().stream().filter(Token.class::isInstance).map(Token.class::cast).findFirst().orElse(null);
        if (child() || token == null) {
            invocation.proceed();
            return;
        }
        invocation.skip();
        runInChild(token, context.getUniqueId(), !invocationContext.getExecutable().isAnnotationPresent(WithoutWrapperExports.class));
    }

    /** Runs the test with this unique id in a child JVM that sees the token, and fails as it failed. */
    private static void runInChild(Token token, String uniqueId, boolean wrapperExports) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx256m"));
        if (wrapperExports) {
            command.add("--add-exports=jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED");
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SoftHsm.class.getName(), uniqueId));
        Path output = token.directory().resolve("child.out");
        ProcessBuilder builder = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(output.toFile());
        childEnvironment(builder.environment(), token);
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the test's JVM did not finish within 180 s:\n" + Files.readString(output));
        }
        String printed = Files.readString(output, StandardCharsets.UTF_8);
        if (printed.contains(token.pin()) || printed.contains(token.soPin())) {
            throw new AssertionError("the test's JVM printed the token's PIN:\n" + printed);
        }
        switch (process.exitValue()) {
            case 0 -> System.out.print(printed);
            case 3 -> Assumptions.abort("aborted in the test's JVM:\n" + printed);
            default -> throw new AssertionError("failed in the test's JVM (exit " + process.exitValue() + "):\n" + printed);
        }
    }

    private static void childEnvironment(Map<String, String> environment, Token token) {
        environment.put("SOFTHSM2_CONF", token.conf().toString());
        environment.put(DIRECTORY_ENV, token.directory().toString());
        environment.put(LABEL_ENV, token.label());
        environment.put(PIN_ENV, token.pin());
        environment.put(SO_PIN_ENV, token.soPin());
    }

    /** The child JVM: runs one test by its unique id; exit 0 passed, 1 failed, 2 not found, 3 aborted. */
    public static void main(String[] arguments) {
        Launcher launcher = LauncherFactory.create();
        int[] outcome = {2};
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(DiscoverySelectors.selectUniqueId(arguments[0])).build(),
                new TestExecutionListener() {
                    @Override
                    public void executionFinished(TestIdentifier identifier, TestExecutionResult result) {
                        if (!identifier.isTest() && result.getStatus() == TestExecutionResult.Status.SUCCESSFUL) {
                            return;
                        }
                        switch (result.getStatus()) {
                            case SUCCESSFUL -> outcome[0] = outcome[0] == 2 ? 0 : outcome[0];
                            case ABORTED -> outcome[0] = 3;
                            case FAILED -> outcome[0] = 1;
                        }
                        result.getThrowable().ifPresent(failure -> {
                            StringWriter trace = new StringWriter();
                            failure.printStackTrace(new PrintWriter(trace));
                            System.out.println(identifier.getDisplayName() + " " + result.getStatus() + ":\n" + trace);
                        });
                    }
                });
        System.out.flush();
        System.exit(outcome[0]);
    }

    private static void run(Token token, List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).directory(token.directory().toFile()).redirectErrorStream(true);
            builder.environment().put("SOFTHSM2_CONF", token.conf().toString());
            Process process = builder.start();
            process.getOutputStream().close();
            String printed = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new AssertionError(command.get(0) + " failed:\n" + printed);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null && Stream.of(path.split(java.io.File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, program)));
    }

    private static String hex(int bytes) {
        byte[] value = new byte[bytes];
        RANDOM.nextBytes(value);
        return HexFormat.of().formatHex(value);
    }

    private static void delete(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
