package dev.certwright.revocation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import dev.certwright.platform.DataDirectory;

/**
 * Where CRLs are built: {@code <data-dir>/crl-work}, this node's own (0700). A build deletes its files in a finally
 * block; a node killed mid-build (kill -9, power cut) cannot, so the files it left are deleted when the node starts,
 * before any build of its own begins, together with half-copied CRLs ({@code *.part-*}) in {@code crl-cache}. The
 * files are not registered with {@code deleteOnExit}: that list only grows (one entry per CRL for the life of the
 * JVM), and it does nothing for the one case that leaves files behind, a killed process.
 */
@Component
class CrlWorkDirectory {

    static final String WORK = "crl-work";
    static final String CACHE = "crl-cache";
    private static final Logger log = LoggerFactory.getLogger(CrlWorkDirectory.class);

    private final Path work;

    CrlWorkDirectory(DataDirectory dataDirectory) {
        this.work = dataDirectory.resolve(WORK);
        try {
            if (!Files.isDirectory(work)) {
                Files.createDirectories(work, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + work, e);
        }
        int removed = deleteMatching(work, "*") + deleteMatching(dataDirectory.resolve(CACHE), "*.part-*");
        if (removed > 0) {
            log.info("removed {} files left by CRL builds or copies that did not finish (the node stopped during them)", removed);
        }
    }

    Path path() {
        return work;
    }

    /** A new empty file for one CRL build; the caller deletes it. */
    Path newFile(String prefix, String suffix) {
        try {
            return Files.createTempFile(work, prefix, suffix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary CRL file in " + work, e);
        }
    }

    private static int deleteMatching(Path directory, String glob) {
        if (!Files.isDirectory(directory)) {
            return 0;
        }
        int removed = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(directory, glob)) {
            for (Path file : files) {
                if (Files.isRegularFile(file) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        } catch (IOException e) {
            log.warn("cannot clean up {}: {}", directory, e.getMessage());
        }
        return removed;
    }
}
