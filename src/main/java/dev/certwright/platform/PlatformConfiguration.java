package dev.certwright.platform;

import java.security.SecureRandom;
import java.security.Security;
import java.time.Clock;

import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The injected clock and randomness, and the Bouncy Castle provider (added last, so the JDK's providers sign). */
@Configuration(proxyBeanMethods = false)
class PlatformConfiguration {

    static {
        if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            Security.addProvider(new BouncyCastleProvider());
        }
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
