package dev.certwright.policy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import dev.certwright.policy.internal.CaConfigLoader;

/**
 * The loaded CA configuration: issuers in creation order (parents before children), profiles by name, and the
 * policy. Built by {@link CaConfigLoader}, which validates every key.
 *
 * @param source the file it was read from, for messages
 */
public record CaConfiguration(String source, List<IssuerDefinition> issuers, Map<String, Profile> profiles,
        NamePolicy policy) {

    public CaConfiguration {
        issuers = List.copyOf(issuers);
        profiles = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(profiles));
    }

    public Optional<Profile> profile(String name) {
        return Optional.ofNullable(name == null ? null : profiles.get(name));
    }

    public Optional<IssuerDefinition> issuer(String name) {
        return issuers.stream().filter(i -> i.name().equals(name)).findFirst();
    }
}
