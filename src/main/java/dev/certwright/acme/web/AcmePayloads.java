package dev.certwright.acme.web;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

import dev.certwright.acme.application.AcmeOrders;
import dev.certwright.acme.domain.AccountStatus;
import dev.certwright.policy.IssuancePolicy;
import dev.certwright.x509.Pem;
import dev.certwright.x509.RevocationReason;
import dev.certwright.x509.X509Exception;
import tools.jackson.databind.JsonNode;

/**
 * Reads the JSON payloads of JWS-checked ACME requests into the values the use cases take, refusing a payload of the
 * wrong shape as RFC 8555 §6.7 says (malformed, unsupportedContact, invalidContact, badRevocationReason).
 */
final class AcmePayloads {

    /** RFC 8555 §7.3: contact URLs; we accept mailto: with one plain address (RFC 6068, no hfields). */
    static final Pattern MAILTO = Pattern.compile("mailto:[^@\\s?,]{1,64}@[A-Za-z0-9.-]{1,253}");

    private AcmePayloads() {
    }

    /** RFC 8555 §7.4 newOrder: a non-empty identifiers array, no notBefore/notAfter (the profile sets the validity). */
    static AcmeOrders.NewOrder newOrder(JsonNode payload) {
        if (payload == null || !payload.path("identifiers").isArray() || payload.get("identifiers").isEmpty()) {
            throw new AcmeException(AcmeProblem.malformed, "a new order needs a non-empty 'identifiers' array");
        }
        if (payload.get("identifiers").size() > IssuancePolicy.MAX_NAMES) {
            throw new AcmeException(AcmeProblem.rejectedIdentifier, "an order may name at most " + IssuancePolicy.MAX_NAMES + " identifiers");
        }
        if (payload.has("notBefore") || payload.has("notAfter")) {
            throw new AcmeException(AcmeProblem.malformed, "notBefore and notAfter are not supported: the profile sets the validity");
        }
        List<AcmeOrders.RequestedIdentifier> identifiers = new ArrayList<>();
        for (JsonNode node : payload.get("identifiers")) {
            identifiers.add(new AcmeOrders.RequestedIdentifier(node.path("type").asString(""), node.path("value").asString("")));
        }
        return new AcmeOrders.NewOrder(payload.path("profile").asString(DirectoryController.DEFAULT_PROFILE), identifiers,
                payload.has("replaces") ? payload.get("replaces").asString("") : null);
    }

    /** RFC 8555 §7.4 finalize: the CSR's base64url text, or null when the payload has none. */
    static String csr(JsonNode payload) {
        return payload == null || !payload.path("csr").isString() ? null : payload.get("csr").asString();
    }

    /** The {@code status} a payload asks for (RFC 8555 §7.3.6, §7.5.2), or null when it asks for none. */
    static String requestedStatus(JsonNode payload) {
        return payload != null && payload.has("status") ? payload.get("status").asString("") : null;
    }

    /** RFC 8555 §7.3.6: an account's status may only be set to deactivated; true when the payload asks for that. */
    static boolean accountDeactivation(JsonNode payload) {
        if (payload.has("status") && !AccountStatus.DEACTIVATED.text().equals(payload.get("status").asString(""))) {
            throw new AcmeException(AcmeProblem.malformed, "an account's status can only be set to deactivated");
        }
        return payload.has("status");
    }

    /**
     * RFC 8555 §7.3: termsOfServiceAgreed and onlyReturnExisting are booleans. A string such as "yes" is not an
     * agreement (asBoolean would read it as false and go on), so it is malformed before anything is created.
     */
    static void requireBooleanIfPresent(JsonNode payload, String field) {
        if (payload.has(field) && !payload.get(field).isBoolean()) {
            throw new AcmeException(AcmeProblem.malformed, "'" + field + "' must be a boolean");
        }
    }

    /** RFC 8555 §7.3: at most 10 contact URLs, each mailto: with one address. */
    static List<String> contact(JsonNode payload) {
        List<String> contact = new ArrayList<>();
        JsonNode node = payload.path("contact");
        if (node.isMissingNode() || node.isNull()) {
            return contact;
        }
        if (!node.isArray() || node.size() > 10) {
            throw new AcmeException(AcmeProblem.malformed, "'contact' must be an array of at most 10 URLs");
        }
        for (JsonNode entry : node) {
            String url = entry.asString("");
            if (!url.startsWith("mailto:")) {
                throw new AcmeException(AcmeProblem.unsupportedContact, "only mailto: contacts are supported, not '" + shorten(url) + "'");
            }
            if (!MAILTO.matcher(url).matches()) {
                throw new AcmeException(AcmeProblem.invalidContact, "'" + shorten(url) + "' is not a mailto: URL with one address");
            }
            contact.add(url);
        }
        return contact;
    }

    /** RFC 8555 §7.6: the certificate to revoke (base64url DER). */
    static X509Certificate revokedCertificate(JsonNode payload) {
        if (payload == null || !payload.path("certificate").isString()) {
            throw new AcmeException(AcmeProblem.malformed, "revokeCert needs a 'certificate' (base64url DER)");
        }
        try {
            return Pem.certificate(Base64.getUrlDecoder().decode(payload.get("certificate").asString()));
        } catch (IllegalArgumentException | X509Exception e) {
            throw new AcmeException(AcmeProblem.malformed, "'certificate' is not a DER certificate");
        }
    }

    /** RFC 8555 §7.6: the reason code of RFC 5280 §5.3.1, unspecified when absent; removeFromCRL is no reason to revoke. */
    static RevocationReason revocationReason(JsonNode payload) {
        if (!payload.has("reason")) {
            return RevocationReason.unspecified;
        }
        int code = payload.get("reason").asInt(-1);
        return Arrays.stream(RevocationReason.values()).filter(r -> r.code() == code && r != RevocationReason.removeFromCRL).findFirst()
                .orElseThrow(() -> new AcmeException(AcmeProblem.badRevocationReason, "reason " + payload.get("reason")
                        + " is not a reason one revokes for"));
    }

    private static String shorten(String text) {
        return text.length() > 80 ? text.substring(0, 80) + "…" : text;
    }
}
