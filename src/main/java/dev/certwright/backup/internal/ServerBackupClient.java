package dev.certwright.backup.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import dev.certwright.backup.BackupException;
import dev.certwright.platform.PinnedTrust;
import tools.jackson.databind.JsonNode;

/**
 * The command line's online mode: asks a running server for the archive ({@code POST /api/v1/backups}, ADMIN) and
 * writes what it streams. The token is read from a file and sent in a header, the passphrase in the JSON body over
 * TLS; neither is ever printed. TLS is checked as any client checks it: against {@code --cacert} (the CA's root, which
 * issued the server's certificate) or the JDK's trust store, with the host name.
 */
public final class ServerBackupClient {

    private ServerBackupClient() {
    }

    public static void fetch(URI server, Path tokenFile, Path cacert, char[] passphrase, OutputStream into) {
        if (!"https".equals(server.getScheme())) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "--server must be the server's https:// URL (the token and the passphrase travel in it)");
        }
        String token = token(tokenFile);
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        if (cacert != null) {
            builder.sslContext(trusting(cacert));
        }
        String body = BackupManifest.JSON.writeValueAsString(Map.of("passphrase", new String(passphrase)));
        URI endpoint = server.resolve("/api/v1/backups");
        HttpRequest request = HttpRequest.newBuilder(endpoint).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").header("Accept", "application/pkcs7-mime, application/problem+json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        try (HttpClient client = builder.build()) {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream in = response.body()) {
                if (response.statusCode() == 200) {
                    in.transferTo(into);
                    return;
                }
                byte[] problem = in.readNBytes(16_384);
                throw refused(response.statusCode(), problem, tokenFile);
            }
        } catch (ConnectException e) {
            throw new BackupException(BackupException.Type.UNAVAILABLE, "cannot reach " + server + ": nothing answers there", e);
        } catch (SSLException e) {
            String why = String.valueOf(e.getMessage()).contains("PKIX") ? "its certificate is not issued by a CA this client trusts"
                    : e.getMessage();
            throw new BackupException(BackupException.Type.UNAVAILABLE, "TLS with " + server + " failed (" + why
                    + "): pass the root that issued the server's certificate with --cacert root.pem", e);
        } catch (HttpTimeoutException e) {
            throw new BackupException(BackupException.Type.UNAVAILABLE, server + " did not answer in time", e);
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.FAILED, "the backup from " + server + " broke off: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackupException(BackupException.Type.FAILED, "interrupted", e);
        }
    }

    private static BackupException refused(int status, byte[] problem, Path tokenFile) {
        if (status == 401) {
            return new BackupException(BackupException.Type.BAD_REQUEST, "the server does not accept the token in " + tokenFile + " (401)");
        }
        if (status == 403) {
            return new BackupException(BackupException.Type.BAD_REQUEST, "the token in " + tokenFile + " is not an ADMIN token (403): backups need ADMIN");
        }
        String detail = "";
        try {
            JsonNode json = BackupManifest.JSON.readTree(new ByteArrayInputStream(problem));
            detail = json.path("detail").asString("");
        } catch (RuntimeException e) {
            // Not a problem document.
        }
        return new BackupException(status == 400 ? BackupException.Type.BAD_REQUEST : BackupException.Type.UNAVAILABLE,
                "the server refused the backup (HTTP " + status + ")" + (detail.isEmpty() ? "" : ": " + detail));
    }

    private static String token(Path tokenFile) {
        if (tokenFile == null) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "--server needs --token-file FILE (an ADMIN API token)");
        }
        try {
            String token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
            if (token.isEmpty() || token.chars().anyMatch(ch -> ch < 0x21 || ch > 0x7e)) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, tokenFile + " does not hold an API token (one line, no spaces)");
            }
            return token;
        } catch (IOException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "cannot read the token file " + tokenFile + ": " + e.getMessage(), e);
        }
    }

    private static SSLContext trusting(Path cacert) {
        try (InputStream in = Files.newInputStream(cacert)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new BackupException(BackupException.Type.BAD_REQUEST, cacert + " holds no certificate");
            }
            return PinnedTrust.context(certificates);
        } catch (IOException | GeneralSecurityException e) {
            throw new BackupException(BackupException.Type.BAD_REQUEST, "cannot read --cacert " + cacert + ": " + e.getMessage(), e);
        }
    }
}
