package dev.certwright.acme.validation;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;

import org.springframework.stereotype.Component;

import dev.certwright.acme.domain.Identifier;

/**
 * dns-01 (RFC 8555 §8.4): a TXT record at _acme-challenge.{name} holding base64url(SHA-256(key authorization)). For a
 * wildcard authorization the name is the base domain. Lookup failures are told in generic words (NameResolver): the
 * resolver's address and its error are for the server's log.
 */
@Component
class Dns01Validator {

    private final NameResolver resolver;

    Dns01Validator(NameResolver resolver) {
        this.resolver = resolver;
    }

    void validate(Identifier identifier, String keyAuthorization) throws ValidationFailure {
        String name = "_acme-challenge." + identifier.value();
        List<String> values = resolver.txt(name);
        String expected = digest(keyAuthorization);
        if (values.isEmpty()) {
            throw new ValidationFailure("dns", "no TXT record at " + name);
        }
        if (!values.contains(expected)) {
            throw new ValidationFailure("incorrectResponse", "the TXT records at " + name + " do not hold the key authorization digest");
        }
    }

    static String digest(String keyAuthorization) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256")
                    .digest(keyAuthorization.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
