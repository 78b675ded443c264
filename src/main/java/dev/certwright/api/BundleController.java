package dev.certwright.api;

import java.time.Duration;
import java.util.Arrays;

import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.async.DeferredResult;

import dev.certwright.delivery.BundleDelivery;
import dev.certwright.delivery.BundleFormats;
import dev.certwright.delivery.BundleWaiters;
import dev.certwright.issuance.ManagedBundle;

/**
 * {@code GET /api/v1/managed-certificates/{name}/bundle}: the current certificate, chain and private key, for a
 * service token whose scope names the slot, or the slot's own service over mTLS, and for nobody else (403; the rule is
 * {@link BundleDelivery#authorise}).
 * PEM by default; {@code format=pkcs12} encrypted with the password in the {@code Certwright-Bundle-Password} header
 * (a header, so that it stays out of access logs); {@code format=json}. A strong ETag names the instance and format;
 * {@code If-None-Match} with it answers 304, or with {@code wait=<ISO duration, at most PT5M>} waits, holding no
 * thread, until a new instance exists (200) or the wait ends (304). Never cached. Every delivery of a key is audited.
 */
@RestController
class BundleController {

    private final BundleDelivery delivery;
    private final BundleWaiters waiters;

    BundleController(BundleDelivery delivery, BundleWaiters waiters) {
        this.delivery = delivery;
        this.waiters = waiters;
    }

    @GetMapping("/api/v1/managed-certificates/{name}/bundle")
    DeferredResult<ResponseEntity<byte[]>> bundle(@PathVariable String name, @RequestParam(defaultValue = BundleFormats.PEM) String format,
            @RequestParam(required = false) String wait, @RequestHeader(value = "If-None-Match", required = false) String ifNoneMatch,
            @RequestHeader(value = BundleFormats.PASSWORD_HEADER, required = false) String password, Authentication authentication) {
        String actor = delivery.authorise(authentication, name);
        BundleFormats.check(format, password);
        Duration waitFor = BundleWaiters.parseWait(wait);
        ManagedBundle current = delivery.current(name);
        DeferredResult<ResponseEntity<byte[]>> result = new DeferredResult<>(waitFor.isZero() ? null : waitFor.toMillis());
        String etag = BundleFormats.etag(current, format);
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
                ManagedBundle next = delivery.current(name);
                result.setResult(deliver(next, format, password, BundleFormats.etag(next, format), actor));
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
        BundleDelivery.Encoded encoded = delivery.deliver(bundle, format, password, actor);
        return ResponseEntity.ok().eTag(etag).cacheControl(CacheControl.noStore()).contentType(MediaType.parseMediaType(encoded.mediaType()))
                .body(encoded.body());
    }

    private static ResponseEntity<byte[]> notModified(String etag) {
        return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).cacheControl(CacheControl.noStore()).build();
    }
}
