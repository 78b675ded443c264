package dev.certwright.platform.internal;

import java.security.SecureRandom;
import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.certwright.x509.CryptoProviders;

/**
 * The injected clock and randomness, and the crypto providers: ACCP first when healthy, Bouncy Castle last (see
 * {@link CryptoProviders}). {@code certwright.crypto.native=false} keeps to pure Java.
 */
@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

    private static final Logger log = LoggerFactory.getLogger(PlatformConfiguration.class);

    PlatformConfiguration(@Value("${certwright.crypto.native:true}") boolean useNative) {
        log.info("crypto providers: {}", CryptoProviders.install(useNative));
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** The platform's non-blocking CSPRNG (NativePRNG on Linux, reading /dev/urandom). */
    @Bean
    SecureRandom secureRandom() {
        return new SecureRandom();
    }
}
