package dev.certwright.notify.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.certwright.platform.StartupException;

class NotifyPropertiesTest {

    static NotifyProperties with(String secret, List<String> allowedHosts) {
        return new NotifyProperties(List.of(Duration.ofDays(7)), Duration.ofMinutes(5), null, secret, "certwright@localhost",
                Duration.ofMinutes(1), 20, allowedHosts);
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "short-secret", "fifteen-chars!!"})
    void aWebhookSecretShorterThan16CharactersStopsStartupNamingTheKeyAndNotTheValue(String secret) {
        assertThatThrownBy(() -> with(secret, null)).isInstanceOf(StartupException.class)
                .hasMessageContaining("certwright.notify.webhook-secret must be at least 16 characters").hasMessageNotContaining(secret);
    }

    @Test
    void anEmptyOrAbsentSecretIsUnsetAndSixteenCharactersAreEnough() {
        assertThat(with(null, null).signingConfigured()).isFalse();
        assertThat(with("", null).signingConfigured()).isFalse();
        assertThat(with("sixteen-chars!!!", null).signingConfigured()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1", "10.0.0.0/33", "hooks example", "*.internal"})
    void anAllowedHostThatIsNeitherANameNorARangeStopsStartup(String host) {
        assertThatThrownBy(() -> with(null, List.of(host))).isInstanceOf(StartupException.class)
                .hasMessageContaining("certwright.notify.allowed-hosts");
    }

    @Test
    void allowedHostsTakeNamesAndRanges() {
        assertThat(with(null, List.of("localhost", " hooks.internal.example ", "10.0.0.0/8", "fd00::/8", "127.0.0.1")).allowedHosts())
                .containsExactly("localhost", "hooks.internal.example", "10.0.0.0/8", "fd00::/8", "127.0.0.1");
        assertThat(with(null, null).allowedHosts()).isEmpty();
    }
}
