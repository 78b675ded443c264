package dev.certwright.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;

import org.springframework.context.annotation.Bean;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.certwright.audit.AuditLog;
import dev.certwright.issuance.IssuanceException;
import dev.certwright.issuance.ManagedBundle;
import dev.certwright.issuance.ManagedCertificateService;
import dev.certwright.platform.ApiAuthorizationRules;
import dev.certwright.platform.ApiTokens;
import dev.certwright.platform.Roles;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code GET /api/v1/managed-certificates/{name}/bundle}: the current certificate, chain and private key, for a
 * service token whose scope names the slot, or the slot's own service over mTLS ({@link ServiceCertificates}), and for
 * nobody else (403): not even an admin token reads a private key.
 * PEM by default; {@code format=pkcs12} encrypted with the password in the {@code Certwright-Bundle-Password} header
 * (a header, so that it stays out of access logs); {@code format=json}. A strong ETag names the instance and format;
 * {@code If-None-Match} with it answers 304, or with {@code wait=<ISO duration, at most PT5M>} waits, holding no
 * thread, until a new instance exists (200) or the wait ends (304). Never cached. Every delivery of a key is audited.
 */
@RestController
class BundleController {

    static final String PASSWORD_HEADER = "Certwright-Bundle-Password";
    static final Duration MAX_WAIT = Duration.ofMinutes(5);

    private final ManagedCertificateService managed;
    private final BundleWaiters waiters;
    private final AuditLog audit;
    private final TransactionTemplate transactions;
    private final JsonMapper json;

    BundleController(ManagedCertificateService managed, BundleWaiters waiters, AuditLog audit, TransactionTemplate transactions,
            JsonMapper json) {
        this.managed = managed;
        this.waiters = waiters;
        this.audit = audit;
        this.transactions = transactions;
        this.json = json;
    }

    @Bean
    static ApiAuthorizationRules bundleRules() {
        return rules -> rules.requestMatchers(HttpMethod.GET, "/api/v1/managed-certificates/*/bundle").hasRole(Roles.SERVICE);
    }

    @GetMapping("/api/v1/managed-certificates/{name}/bundle")
    DeferredResult<ResponseEntity<byte[]>> bundle(@PathVariable String name, @RequestParam(defaultValue = BundleFormats.PEM) String format,
            @RequestParam(required = false) String wait, @RequestHeader(value = "If-None-Match", required = false) String ifNoneMatch,
            @RequestHeader(value = PASSWORD_HEADER, required = false) String password, Authentication authentication) {
        String actor = authorise(authentication, name);
        if (!BundleFormats.ALL.contains(format)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "format must be one of " + BundleFormats.ALL);
        }
        if (BundleFormats.PKCS12.equals(format) && (password == null || password.length() < 8 || password.length() > 256)) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST,
                    "format=pkcs12 needs a password of 8 to 256 characters in the " + PASSWORD_HEADER + " header");
        }
        Duration waitFor = parseWait(wait);
        // 404 for an unknown slot or one without a certificate yet.
        ManagedBundle current = managed.currentBundle(name);
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>(waitFor.isZero() ? null : waitFor.toMillis());
        String etag = etag(current, format);
        if (!matches(ifNoneMatch, etag)) {
            result.setResult(deliver(current, format, password, etag, actor));
            return result;
        }
        if (waitFor.isZero()) {
            result.setResult(notModified(etag));
            return result;
        }
        BundleWaiters.Waiter waiter = new BundleWaiters.Waiter(current.record().id(), newId -> {
            try {
                ManagedBundle next = managed.currentBundle(name);
                result.setResult(deliver(next, format, password, etag(next, format), actor));
            } catch (RuntimeException e) {
                result.setErrorResult(e);
            }
        });
        result.onTimeout(() -> {
            waiters.remove(name, waiter);
            result.setResult(notModified(etag));
        });
        result.onCompletion(() -> waiters.remove(name, waiter));
        result.onError(e -> waiters.remove(name, waiter));
        waiters.add(name, waiter);
        return result;
    }

    /** The service's actor name when its scope names this slot; 403 otherwise. */
    private static String authorise(Authentication authentication, String name) {
        if (authentication != null && authentication.getPrincipal() instanceof ApiTokens.ApiPrincipal principal && Roles.SERVICE.equals(principal.role())
                && principal.scope().contains(name)) {
            return authentication.getName();
        }
        throw new BundleAccessDenied("this service may not read the bundle of '" + name + "'");
    }

    private static Duration parseWait(String wait) {
        if (wait == null || wait.isBlank()) {
            return Duration.ZERO;
        }
        Duration parsed;
        try {
            parsed = Duration.parse(wait);
        } catch (DateTimeParseException e) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "wait must be an ISO-8601 duration such as PT30S");
        }
        if (parsed.isNegative() || parsed.compareTo(MAX_WAIT) > 0) {
            throw new IssuanceException(IssuanceException.Type.BAD_REQUEST, "wait must be between PT0S and " + MAX_WAIT);
        }
        return parsed;
    }

    static String etag(ManagedBundle bundle, String format) {
        return "\"" + bundle.record().serial().hex() + "." + format + "\"";
    }

    /** RFC 9110 §13.1.2: If-None-Match is a list of entity tags, or "*"; weak comparison. */
    static boolean matches(String ifNoneMatch, String etag) {
        if (ifNoneMatch == null) {
            return false;
        }
        String bare = etag.substring(1, etag.length() - 1);
        return Arrays.stream(ifNoneMatch.split(",")).map(String::trim).map(t -> t.startsWith("W/") ? t.substring(2) : t)
                .anyMatch(t -> t.equals("*") || t.equals(etag) || t.equals(bare));
    }

    private ResponseEntity<byte[]> deliver(ManagedBundle bundle, String format, String password, String etag, String actor) {
        byte[] body;
        MediaType type;
        switch (format) {
            case BundleFormats.PKCS12 -> {
                body = BundleFormats.pkcs12(bundle, password.toCharArray());
                type = MediaType.parseMediaType("application/pkcs12");
            }
            case BundleFormats.JSON -> {
                body = json.writeValueAsString(BundleFormats.json(bundle)).getBytes(StandardCharsets.UTF_8);
                type = MediaType.APPLICATION_JSON;
            }
            default -> {
                body = BundleFormats.pem(bundle);
                type = MediaType.parseMediaType("application/x-pem-file");
            }
        }
        transactions.executeWithoutResult(tx -> audit.append(actor, "managed-certificate.bundle-delivered", "managed-certificate", bundle.name(),
                "serial=" + bundle.record().serial().hex() + " format=" + format));
        return ResponseEntity.ok().eTag(etag).cacheControl(CacheControl.noStore()).contentType(type).body(body);
    }

    private static ResponseEntity<byte[]> notModified(String etag) {
        return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(CacheControl.noStore()).build();
    }
}
