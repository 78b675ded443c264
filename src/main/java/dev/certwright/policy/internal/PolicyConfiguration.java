package dev.certwright.policy.internal;

import java.nio.file.Path;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import dev.certwright.policy.CaConfiguration;
import dev.certwright.policy.IssuancePolicy;

/** Loads {@code certwright.ca-config} (default {@code ca-config/dev.yml}) once at startup. */
@Configuration(proxyBeanMethods = false)
class PolicyConfiguration {

    @Bean
    CaConfiguration caConfiguration(@Value("${certwright.ca-config:ca-config/dev.yml}") String file) {
        return CaConfigLoader.load(Path.of(file));
    }

    @Bean
    IssuancePolicy issuancePolicy(CaConfiguration configuration) {
        return new IssuancePolicy(configuration);
    }
}
