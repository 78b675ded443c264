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
            @RequestParam(name = "owner", required = false) String ownerParam, @RequestParam(name = "tags", required = false) List<String> tags,
            @RequestParam(name = "password", required = false) String password,
            @RequestParam(name = "manage", required = false, defaultValue = "false") boolean manage,
            @RequestParam(name = "slot", required = false) String slot, Authentication actor) throws IOException {
        if (file == null || file.isEmpty()) {
            throw new X509Exception("the multipart part 'file' is missing or empty");
        }
        // The key is taken only when asked for, and only for a named slot (decision 74).
        if (manage != (slot != null && !slot.isBlank())) {
            throw new X509Exception(manage ? "manage=true needs 'slot', the managed certificate that adopts the key" : "'slot' is given only with manage=true");
        }
        // owner is optional here (issue 22): the importing user owns what nobody was named for. A missing owner was a 500.
        String owner = owner(ownerParam, actor.getName());
        List<String> tagList = tags == null ? List.of() : tags;
        if (tagList.stream().anyMatch(t -> !t.matches(Validation.TAG))) {
            throw new X509Exception("tags must match " + Validation.TAG);
        }
        char[] secret = password == null ? null : password.toCharArray();
        try {
            return imports.importFile(file.getOriginalFilename(), file.getBytes(), secret, owner, tagList, actor.getName(),
                    manage ? slot : null);
        } finally {
            if (secret != null) {
                Arrays.fill(secret, '\0');
            }
        }
    }

    static String owner(String given, String actor) {
        if (given == null || given.isBlank()) {
            return actor;
        }
        if (!given.matches(Validation.OWNER)) {
            throw new X509Exception("owner must be 1 to 255 printable characters");
        }
        return given;
    }
}
