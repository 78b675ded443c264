package dev.certwright.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.certwright.policy.internal.CaConfigLoader;

/**
 * The loaded CA configuration: where issuer keys are kept, issuers in creation order (parents before children),
 * profiles by name, and the policy. Built by {@link CaConfigLoader}, which validates every key.
 *
 * @param source the file it was read from, for messages
 */
public record CaConfiguration(String source, KeyStoreDefinition keyStore, List<IssuerDefinition> issuers,
        Map<String, Profile> profiles, NamePolicy policy, Map<String, UpstreamDefinition> upstreams) {

    public CaConfiguration {
        keyStore = keyStore == null ? KeyStoreDefinition.SOFTWARE : keyStore;
        issuers = List.copyOf(issuers);
        profiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
        upstreams = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(upstreams == null ? Map.of() : upstreams));
    }

    /** A configuration with no upstream ACME CAs. */
    public CaConfiguration(String source, KeyStoreDefinition keyStore, List<IssuerDefinition> issuers,
            Map<String, Profile> profiles, NamePolicy policy) {
        this(source, keyStore, issuers, profiles, policy, Map.of());
    }

    /** An upstream ACME CA by name. */
    public Optional<UpstreamDefinition> upstream(String name) {
        return Optional.ofNullable(name == null ? null : upstreams.get(name));
    }

    /** A configuration whose issuer keys live in the CA keystore. */
    public CaConfiguration(String source, List<IssuerDefinition> issuers, Map<String, Profile> profiles, NamePolicy policy) {
        this(source, KeyStoreDefinition.SOFTWARE, issuers, profiles, policy);
    }

    public Optional<Profile> profile(String name) {
        return Optional.ofNullable(name == null ? null : profiles.get(name));
    }

    public Optional<IssuerDefinition> issuer(String name) {
        return issuers.stream().filter(i -> i.name().equals(name)).findFirst();
    }
}
