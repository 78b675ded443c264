package dev.certwright.dashboard;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;

import dev.certwright.issuance.BulkImport;
import dev.certwright.platform.CertwrightException;
import dev.certwright.platform.Refusal;
import dev.certwright.x509.X509Exception;
import jakarta.servlet.http.HttpServletResponse;

/**
 * The bulk import's page (decision 74): the same upload as {@code POST /api/v1/imports}, and its report on the page.
 * A refused upload (malformed form, too large, an unknown slot) is shown on the same page with the API's status.
 */
@Controller
class ImportPages {

    private final BulkImport imports;

    ImportPages(BulkImport imports) {
        this.imports = imports;
    }

    @GetMapping("/imports")
    String form() {
        return "import";
    }

    @PostMapping("/imports")
    String upload(@RequestParam(name = "file", required = false) MultipartFile file, @RequestParam(required = false) String owner,
            @RequestParam(required = false) String tags, @RequestParam(required = false) String password,
            @RequestParam(required = false) String slot, Authentication actor, Model model, HttpServletResponse response) throws IOException {
        char[] secret = password == null || password.isEmpty() ? null : password.toCharArray();
        try {
            if (file == null || file.isEmpty()) {
                throw new X509Exception("choose a file to import");
            }
            List<String> tagList = tags == null || tags.isBlank() ? List.of() : Arrays.stream(tags.split("[,\\s]+")).filter(t -> !t.isEmpty()).toList();
            String managed = slot == null || slot.isBlank() ? null : slot.trim();
            model.addAttribute("report", imports.importFile(file.getOriginalFilename(), file.getBytes(), secret,
                    owner == null || owner.isBlank() ? actor.getName() : owner.trim(), tagList, actor.getName(), managed));
            model.addAttribute("fileName", file.getOriginalFilename());
        } catch (CertwrightException | X509Exception e) {
            Refusal refusal = Refusal.of(e).orElseThrow(() -> e);
            response.setStatus(refusal.status().value());
            model.addAttribute("error", refusal.detail());
        } finally {
            if (secret != null) {
                Arrays.fill(secret, '\0');
            }
        }
        return "import";
    }
}
