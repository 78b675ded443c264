package dev.certwright.policy.internal;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import dev.certwright.policy.CaConfigSource;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuancePolicy;

/** Loads {@code certwright.ca-config} (default {@code ca-config/dev.yml}) at startup. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

    @Bean
    CaConfigSource caConfigSource(@Value("${certwright.ca-config:ca-config/dev.yml}") String file) {
        return new CaConfigSource(Path.of(file));
    }

    /** The configuration as read at startup; {@link IssuancePolicy#configuration()} is the one in force after a reload. */
    @Bean
    CaConfiguration caConfiguration(CaConfigSource source) {
        return source.read();
    }

    @Bean
    IssuancePolicy issuancePolicy(CaConfiguration configuration) {
        return new IssuancePolicy(configuration);
    }
}
