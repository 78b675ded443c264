package dev.certwright.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/** The openssl command line in a working folder: the peer our tests check what Certwright emits against. */
public final class Openssl {

    private final Path work;

    public Openssl(Path work) {
        this.work = work;
    }

    public Path work() {
        return work;
    }

    public Commands.Result run(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        return Commands.run(work, command);
    }

    public Path write(String name, String content) {
        try {
            return Files.writeString(work.resolve(name), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path write(String name, byte[] content) {
        try {
            return Files.write(work.resolve(name), content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] read(String name) {
        try {
            return Files.readAllBytes(work.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A PEM CSR for a fresh P-256 key, with optional -addext. */
    public String csr(String subject, String extension) {
        String name = "csr-" + System.nanoTime();
        List<String> command = new ArrayList<>(List.of("req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                "-keyout", name + ".key", "-subj", subject, "-out", name + ".csr"));
        if (extension != null) {
            command.add("-addext");
            command.add(extension);
        }
        run(command.toArray(String[]::new)).assertSuccess();
        try {
            return Files.readString(work.resolve(name + ".csr"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String pem(X509Certificate certificate) {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static X509Certificate parse(String pem) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException(e);
        }
    }
}
