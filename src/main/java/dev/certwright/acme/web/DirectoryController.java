package dev.certwright.acme.web;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.acme.AcmeProperties;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.policy.Profile;
import jakarta.servlet.http.HttpServletRequest;

/** RFC 8555 §7.1.1 directory and §7.2 newNonce. */
@RestController
class DirectoryController {

    /** draft-ietf-acme-profiles: the profile an order gets when it names none. */
    static final String DEFAULT_PROFILE = "tls-server";

    private final IssuancePolicy policy;
    private final AcmeProperties properties;

    DirectoryController(IssuancePolicy policy, AcmeProperties properties) {
        this.policy = policy;
        this.properties = properties;
    }

    @GetMapping(AcmeLinker.Paths.DIRECTORY)
    Map<String, Object> directory(HttpServletRequest request) {
        AcmeLinker links = AcmeLinker.of(request);
        Map<String, Object> meta = new LinkedHashMap<>();
        if (properties.termsOfService() != null && !properties.termsOfService().isBlank()) {
            meta.put("termsOfService", properties.termsOfService());
        }
        meta.put("externalAccountRequired", properties.externalAccountRequired());
        Map<String, String> profiles = new LinkedHashMap<>();
        for (Profile profile : policy.configuration().profiles().values()) {
            if (profile.acme()) {
                profiles.put(profile.name(), String.join(", ", profile.extendedKeyUsages()) + "; at most " + profile.maxValidity()
                        + (profile.name().equals(DEFAULT_PROFILE) ? " (default)" : ""));
            }
        }
        meta.put("profiles", profiles);
        Map<String, Object> directory = new LinkedHashMap<>();
        directory.put("newNonce", links.newNonce());
        directory.put("newAccount", links.newAccount());
        directory.put("newOrder", links.newOrder());
        directory.put("revokeCert", links.revokeCert());
        directory.put("keyChange", links.keyChange());
        directory.put("renewalInfo", links.renewalInfo());
        directory.put("meta", meta);
        return directory;
    }

    /** RFC 8555 §7.2: HEAD answers 200, GET 204; the nonce is in the header (AcmeResponseHeaders). */
    @RequestMapping(path = AcmeLinker.Paths.NEW_NONCE, method = {RequestMethod.HEAD, RequestMethod.GET})
    ResponseEntity<Void> newNonce(HttpServletRequest request) {
        return ResponseEntity.status("HEAD".equals(request.getMethod()) ? HttpStatus.OK : HttpStatus.NO_CONTENT).build();
    }
}
