package dev.certwright.platform;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

import org.springframework.stereotype.Component;

/**
 * The data directory ({@code certwright.data-dir}) and the secret files Certwright generates in it on first start.
 * Secret files are created with mode 0600 before anything is written to them.
 */
@Component
public class DataDirectory {

    private final Path root;
    private final SecureRandom random;

    public DataDirectory(CertwrightProperties properties, SecureRandom random) {
        this.root = properties.dataDir().toAbsolutePath().normalize();
        this.random = random;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new StartupException("certwright.data-dir: cannot create " + root + " (" + e.getMessage() + ")");
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
}
