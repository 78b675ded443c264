import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Run by scripts/lib/launch.sh as {@code java scripts/lib/UnsignJars.java <lib dir>}: rewrites each signed jar in the
 * directory (Bouncy Castle's, ACCP's) without its signature files, META-INF/*.SF, *.DSA, *.RSA and *.EC, leaving
 * the content of every other entry as it was. The JDK leaves the classes of signed jars out of its AOT cache (JEP 483),
 * and Bouncy Castle is the largest library Certwright loads at startup (decision 64). Only the extracted copy under
 * target/ is changed, never the jar that was built; OpenJDK does not require a signed JCE provider.
 */
public class UnsignJars {

    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|DSA|RSA|EC)", Pattern.CASE_INSENSITIVE);

    public static void main(String[] args) throws IOException {
        List<Path> jars;
        try (Stream<Path> files = Files.list(Path.of(args[0]))) {
            jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
        }
        for (Path jar : jars) {
            unsign(jar);
        }
    }

    private static void unsign(Path jar) throws IOException {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            if (zip.stream().noneMatch(e -> SIGNATURE.matcher(e.getName()).matches())) {
                return;
            }
            Path copy = jar.resolveSibling(jar.getFileName() + ".unsigned");
            try (OutputStream file = Files.newOutputStream(copy); ZipOutputStream out = new ZipOutputStream(file)) {
                for (ZipEntry entry : zip.stream().toList()) {
                    if (SIGNATURE.matcher(entry.getName()).matches()) {
                        continue;
                    }
                    ZipEntry kept = new ZipEntry(entry.getName());
                    kept.setTime(entry.getTime());
                    out.putNextEntry(kept);
                    try (InputStream in = zip.getInputStream(entry)) {
                        in.transferTo(out);
                    }
                    out.closeEntry();
                }
            }
            Files.move(copy, jar, StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
