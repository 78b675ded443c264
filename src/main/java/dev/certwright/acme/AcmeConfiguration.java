package dev.certwright.acme;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Configuration;

/** Binds {@code certwright.acme.*}. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AcmeProperties.class)
class AcmeConfiguration {
}
