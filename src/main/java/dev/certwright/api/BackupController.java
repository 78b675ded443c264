package dev.certwright.api;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.StreamingResponseBody;

import dev.certwright.backup.DatabaseBackups;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;

/**
 * {@code POST /api/v1/backups} (ADMIN): the node's database as one encrypted archive, streamed (decision 69); what
 * {@code backup --server} fetches. The passphrase travels in the body, over TLS, and is used only to encrypt.
 */
@RestController
class BackupController {

    /** CMS EnvelopedData, as S/MIME names it (RFC 8551 §3.2.2). */
    static final MediaType ENVELOPED = MediaType.parseMediaType("application/pkcs7-mime; smime-type=enveloped-data");

    private final DatabaseBackups backups;

    BackupController(DatabaseBackups backups) {
        this.backups = backups;
    }

    /** The request: the passphrase the archive is encrypted to (at least 12 characters). */
    record BackupBody(@NotBlank String passphrase) {

        @Override
        public String toString() {
            return "BackupBody[passphrase hidden]";
        }
    }

    @PostMapping("/api/v1/backups")
    ResponseEntity<StreamingResponseBody> backup(@Valid @RequestBody BackupBody body, Authentication actor) {
        DatabaseBackups.Backup backup = backups.prepare(body.passphrase(), actor.getName());
        StreamingResponseBody stream = out -> backups.write(backup, out);
        return ResponseEntity.ok().contentType(ENVELOPED).header(HttpHeaders.CACHE_CONTROL, "no-store")
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("certwright-" + backup.id() + ".p7m").build().toString())
                .body(stream);
    }
}
