package dev.certwright.platform.internal;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import dev.certwright.platform.StartupException;

/**
 * {@code certwright.sign-in.*}: how the dashboard's sign-in form resists password guessing.
 *
 * @param maxFailuresPerUser failed sign-ins for one user name after which further attempts for it are refused (429)
 * @param maxFailuresPerAddress failed sign-ins from one client address after which its attempts are refused (429)
 * @param firstDelay how long the first block lasts; each failure after it doubles the block
 * @param maxDelay the longest block
 * @param forgetAfter a subject with no failure for this long starts from zero again
 */
@Validated
@ConfigurationProperties("certwright.sign-in")
public record SignInProperties(
        @DefaultValue("5") @Min(1) @Max(1000) int maxFailuresPerUser,
        @DefaultValue("20") @Min(1) @Max(100000) int maxFailuresPerAddress,
        @DefaultValue("PT30S") @NotNull Duration firstDelay,
        @DefaultValue("PT1H") @NotNull Duration maxDelay,
        @DefaultValue("PT1H") @NotNull Duration forgetAfter) {

    public SignInProperties {
        if (firstDelay != null && (firstDelay.isNegative() || firstDelay.isZero())) {
            throw new StartupException("certwright.sign-in.first-delay must be positive, not " + firstDelay);
        }
        if (maxDelay != null && firstDelay != null && maxDelay.compareTo(firstDelay) < 0) {
            throw new StartupException("certwright.sign-in.max-delay must not be shorter than certwright.sign-in.first-delay");
        }
        if (forgetAfter != null && (forgetAfter.isNegative() || forgetAfter.isZero())) {
            throw new StartupException("certwright.sign-in.forget-after must be positive, not " + forgetAfter);
        }
    }
}
