package dev.certwright.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The renewal lead shared by scheduled renewal and ACME ARI: the first rule given, else a third of the life. */
class RenewalLeadTest {

    static final Duration LIFE = Duration.ofDays(90);

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("the slot rule wins over the profile's", LIFE, Duration.ofDays(10), Duration.ofDays(20), Duration.ofDays(10)),
                Arguments.of("the profile rule when the slot has none", LIFE, null, Duration.ofDays(20), Duration.ofDays(20)),
                Arguments.of("a third of the life without rules", LIFE, null, null, Duration.ofDays(30)),
                Arguments.of("a rule as long as the life falls back to a third", LIFE, null, LIFE, Duration.ofDays(30)),
                Arguments.of("a rule longer than a short life falls back to a third", Duration.ofMinutes(3), null, Duration.ofDays(20),
                        Duration.ofMinutes(1)),
                Arguments.of("a negative rule falls back to a third", LIFE, Duration.ofDays(-1), null, Duration.ofDays(30)),
                Arguments.of("a rule just shorter than the life is kept", LIFE, LIFE.minusSeconds(1), null, LIFE.minusSeconds(1)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void leadIsTheFirstUsableRuleElseAThirdOfTheLife(String why, Duration life, Duration slotRule, Duration profileRule, Duration expected) {
        assertThat(RenewalLead.of(life, slotRule, profileRule)).isEqualTo(expected);
    }
}
