package dev.certwright.upstream;

import java.util.regex.Pattern;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.certwright.upstream.internal.UpstreamStore;

/**
 * RFC 8555 §8.3: {@code /.well-known/acme-challenge/{token}} answers an upstream's http-01 validation with the key
 * authorization Certwright stored for its order. Public by nature (the upstream fetches it without credentials) and
 * served on the plain-HTTP listener too; it tells nothing that the upstream did not already send in the clear.
 */
@RestController
class Http01Responses {

    /** RFC 8555 §8.1: a token is base64url. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,255}");

    private final UpstreamStore store;

    Http01Responses(UpstreamStore store) {
        this.store = store;
    }

    @GetMapping(path = "/.well-known/acme-challenge/{token}", produces = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<String> keyAuthorization(@PathVariable String token) {
        String answer = TOKEN.matcher(token).matches() ? store.keyAuthorization(token).orElse(null) : null;
        if (answer == null) {
            throw new UpstreamException(UpstreamException.Type.NOT_FOUND, "no challenge is being answered for this token");
        }
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_OCTET_STREAM).body(answer);
    }
}
