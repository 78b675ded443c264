package dev.certwright.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.context.event.ApplicationStartedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import dev.certwright.platform.internal.CertwrightProperties;

/**
 * The data directory ({@code certwright.data-dir}) and the secret files Certwright generates in it on first start.
 * Secret files are created with mode 0600 before anything is written to them.
 * <p>
 * The H2 database ({@value #DATABASE}/ under it) holds every certificate, token hash and audit entry: its directory is
 * made 0700 before the connection pool starts (the DataSource depends on this bean: {@link BeforeDataSource}), so that
 * the files H2 creates with the process's umask are never readable by another user, and its files are made 0600 once
 * the schema is migrated, at start.
 */
@Component
public class DataDirectory {

    static final String DATABASE = "db";
    private static final Logger log = LoggerFactory.getLogger(DataDirectory.class);
    private static final Set<PosixFilePermission> OWNER_DIRECTORY = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OWNER_FILE = PosixFilePermissions.fromString("rw-------");

    private final Path root;
    private final SecureRandom random;

    public DataDirectory(CertwrightProperties properties, SecureRandom random) {
        this.root = properties.dataDir().toAbsolutePath().normalize();
        this.random = random;
        try {
            if (!Files.isDirectory(root)) {
                Files.createDirectories(root, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
            }
            Path database = root.resolve(DATABASE);
            if (!Files.isDirectory(database)) {
                Files.createDirectories(database, PosixFilePermissions.asFileAttribute(OWNER_DIRECTORY));
            }
            // Also when it exists: a directory made by an earlier version, or by hand, with the umask's 0755.
            Files.setPosixFilePermissions(database, OWNER_DIRECTORY);
        } catch (UnsupportedOperationException e) {
            log.warn("{} is on a file system without POSIX permissions: the database files' modes are not set", root);
        } catch (IOException e) {
            throw new StartupException("certwright.data-dir: cannot create " + root + " (" + e.getMessage() + ")");
        }
    }

    /**
     * At start, after the schema migration created or opened them, and every minute for the files H2 makes later (its
     * trace file on an error, temporary files): the database files are the owner's alone (0600).
     */
    @EventListener(ApplicationStartedEvent.class)
    @Scheduled(initialDelay = 60_000, fixedDelay = 60_000)
    void restrictDatabaseFiles() {
        Path database = root.resolve(DATABASE);
        if (!Files.isDirectory(database)) {
            return;
        }
        try (Stream<Path> files = Files.walk(database)) {
            for (Path file : files.toList()) {
                Files.setPosixFilePermissions(file, Files.isDirectory(file) ? OWNER_DIRECTORY : OWNER_FILE);
            }
        } catch (UnsupportedOperationException e) {
            // Logged in the constructor.
        } catch (IOException e) {
            log.warn("cannot restrict the modes of the database files under {}: {}", database, e.getMessage());
        }
    }

    /** Makes every DataSource depend on the data directory, so that its modes are set before H2 creates a file. */
    @Component
    static class BeforeDataSource implements BeanFactoryPostProcessor {

        @Override
        public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
            for (String name : beanFactory.getBeanNamesForType(DataSource.class, true, false)) {
                BeanDefinition definition = beanFactory.getBeanDefinition(name);
                String[] dependsOn = definition.getDependsOn() == null ? new String[0] : definition.getDependsOn();
                String[] more = java.util.Arrays.copyOf(dependsOn, dependsOn.length + 1);
                more[dependsOn.length] = "dataDirectory";
                definition.setDependsOn(more);
            }
        }
    }

    public Path root() {
        return root;
    }

    public Path resolve(String relative) {
        return root.resolve(relative);
    }

    /** Reads a secret file if it exists, trimmed. */
    public Optional<String> readSecret(String relative) {
        Path file = root.resolve(relative);
        try {
            return Files.isRegularFile(file) ? Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Writes a fresh random secret (32 bytes, base64url) to a new 0600 file and returns it. Refuses to overwrite. */
    public String createSecret(String relative) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        writePrivateFile(relative, secret + "\n");
        return secret;
    }

    /** Writes a new file readable by its owner only (0600). */
    public void writePrivateFile(String relative, String content) {
        writePrivateFile(relative, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a new file readable by its owner only (0600), creating parent directories (0700). */
    public void writePrivateFile(String relative, byte[] content) {
        Path file = root.resolve(relative);
        try {
            Path parent = file.getParent();
            if (!Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            Files.write(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    content, StandardOpenOption.TRUNCATE_EXISTING);
        } catch (FileAlreadyExistsException e) {
            throw new IllegalStateException(file + " already exists; refusing to overwrite a secret", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /**
     * Writes a file readable by its owner only (0600) in place of the one there, if any: a new file next to it, renamed
     * over it, so that a reader (or a crash) sees the old content or the new, never part of either.
     */
    public void replacePrivateFile(String relative, byte[] content) {
        Path file = root.resolve(relative);
        Path staged = file.resolveSibling(file.getFileName() + "." + Long.toHexString(random.nextLong()) + ".tmp");
        try {
            writePrivateFile(root.relativize(staged).toString(), content);
            Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        } finally {
            try {
                Files.deleteIfExists(staged);
            } catch (IOException e) {
                // a staged copy left behind; the next write uses another name
            }
        }
    }
}
