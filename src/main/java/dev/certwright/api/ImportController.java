package dev.certwright.api;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

import dev.certwright.issuance.BulkImport;
import dev.certwright.x509.X509Exception;

/** {@code POST /api/v1/imports}: many certificates from one file (decision 74). */
@RestController
class ImportController {

    private final BulkImport imports;

    ImportController(BulkImport imports) {
        this.imports = imports;
    }

    @PostMapping(path = "/api/v1/imports", consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    BulkImport.Report importFile(@RequestParam(name = "file", required = false) MultipartFile file,
            @RequestParam(name = "owner", required = false) String owner, @RequestParam(name = "tags", required = false) List<String> tags,
            @RequestParam(name = "password", required = false) String password, Authentication actor) throws IOException {
        if (file == null || file.isEmpty()) {
            throw new X509Exception("the multipart part 'file' is missing or empty");
        }
        char[] secret = password == null ? null : password.toCharArray();
        try {
            return imports.importFile(file.getOriginalFilename(), file.getBytes(), secret, owner, tags == null ? List.of() : tags, actor.getName());
        } finally {
            if (secret != null) {
                Arrays.fill(secret, '\0');
            }
        }
    }
}
