package dev.certwright.platform.internal;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import dev.certwright.platform.StartupException;

/**
 * {@code certwright.oidc.*}: single sign-on through an OpenID Connect provider (decision 77). Off while
 * {@code issuer-uri} is unset.
 *
 * @param issuerUri the provider's issuer (its {@code /.well-known/openid-configuration} is read from there)
 * @param clientId this dashboard's client at the provider
 * @param clientSecret its secret: give it as the environment variable {@code CERTWRIGHT_OIDC_CLIENT_SECRET}, never in a file
 * @param usernameClaim the claim that names the person (or, in a client-credentials token, the client)
 * @param groupsClaim the claim that lists the groups role bindings may name
 * @param audience what an API token's {@code aud} must hold; the client id when unset
 * @param displayName the sign-in button's label
 * @param localUsers whether the dashboard's own users (and admin) may still sign in with a password: the break-glass way in
 */
@ConfigurationProperties("certwright.oidc")
public record OidcProperties(String issuerUri, String clientId, String clientSecret, @DefaultValue("preferred_username") String usernameClaim,
        @DefaultValue("groups") String groupsClaim, String audience, @DefaultValue("single sign-on") String displayName,
        @DefaultValue("true") boolean localUsers, @DefaultValue({"openid", "profile", "email"}) List<String> scopes) {

    public OidcProperties {
        if (issuerUri != null && issuerUri.isBlank()) {
            issuerUri = null;
        }
        if (issuerUri != null) {
            if (!issuerUri.startsWith("https://") && !issuerUri.startsWith("http://127.0.0.1") && !issuerUri.startsWith("http://localhost")) {
                throw new StartupException("certwright.oidc.issuer-uri must be https (http only on localhost), not " + issuerUri);
            }
            if (clientId == null || clientId.isBlank()) {
                throw new StartupException("certwright.oidc.client-id is needed with certwright.oidc.issuer-uri");
            }
        }
        if (audience == null || audience.isBlank()) {
            audience = clientId;
        }
    }

    public boolean enabled() {
        return issuerUri != null;
    }
}
