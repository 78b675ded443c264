package dev.certwright.acme.web;

import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.AcmeRenewalInfo;
import dev.certwright.acme.domain.AriCertId;

/** RFC 9773 §4.1: renewalInfo, an unauthenticated GET by certID, answered with the suggested window and Retry-After. */
@RestController
class RenewalInfoController {

    private final AcmeRenewalInfo renewalInfo;

    RenewalInfoController(AcmeRenewalInfo renewalInfo) {
        this.renewalInfo = renewalInfo;
    }

    @GetMapping(AcmeLinker.Paths.RENEWAL_INFO_OF)
    ResponseEntity<Map<String, Object>> renewalInfo(@PathVariable String certId) {
        AriCertId id = AriCertId.parse(certId);
        if (id == null) {
            throw new AcmeException(AcmeProblem.malformed, "'" + (certId.length() > 80 ? certId.substring(0, 80) : certId)
                    + "' is not a certificate identifier (RFC 9773 §4.1: base64url AKI, '.', base64url serial)");
        }
        var record = renewalInfo.find(id).orElseThrow(() -> new AcmeException(AcmeProblem.malformed, "no certificate issued here has that identifier"));
        AcmeRenewalInfo.Window window = renewalInfo.window(record);
        DateTimeFormatter rfc3339 = DateTimeFormatter.ISO_INSTANT;
        return ResponseEntity.ok().header("Retry-After", Long.toString(window.retryAfter().toSeconds())).contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("suggestedWindow", Map.of("start", rfc3339.format(window.start().truncatedTo(ChronoUnit.SECONDS)),
                        "end", rfc3339.format(window.end().truncatedTo(ChronoUnit.SECONDS)))));
    }
}
