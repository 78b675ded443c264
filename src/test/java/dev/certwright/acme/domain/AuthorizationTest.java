package dev.certwright.acme.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The authorization and challenge rules of RFC 8555 §7.1.6, §7.5.1, §7.5.2 and the challenge offer of §7.1.4 / RFC 8738. */
class AuthorizationTest {

    static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

    static Authorization authorization(AuthorizationStatus status, Instant expires) {
        return new Authorization(1, 1, new Identifier(IdentifierType.DNS, "a.test"), false, status, expires);
    }

    @ParameterizedTest(name = "a stored {0} authorization past its expiry reads {1}")
    @CsvSource({"PENDING, EXPIRED", "VALID, VALID", "INVALID, INVALID", "DEACTIVATED, DEACTIVATED"})
    void onlyAPendingAuthorizationExpires(AuthorizationStatus stored, AuthorizationStatus read) {
        assertThat(authorization(stored, NOW).statusAt(NOW)).isEqualTo(read);
        assertThat(authorization(stored, NOW.plusSeconds(1)).statusAt(NOW)).isEqualTo(stored);
    }

    @ParameterizedTest(name = "a {0} authorization takes a challenge response: {1}")
    @CsvSource({"PENDING, true", "VALID, false", "INVALID, false", "DEACTIVATED, false"})
    void onlyAPendingAuthorizationTakesAChallengeResponse(AuthorizationStatus status, boolean accepts) {
        assertThat(authorization(status, NOW.plusSeconds(60)).acceptsChallengeResponse(NOW)).isEqualTo(accepts);
    }

    @ParameterizedTest(name = "a pending authorization past its expiry takes no challenge response")
    @EnumSource(value = AuthorizationStatus.class, names = "PENDING")
    void anExpiredAuthorizationTakesNoChallengeResponse(AuthorizationStatus status) {
        assertThat(authorization(status, NOW).acceptsChallengeResponse(NOW)).isFalse();
    }

    @ParameterizedTest(name = "a {0} authorization becomes {1} when a challenge is valid and {2} when one failed")
    @CsvSource({"PENDING, VALID, INVALID", "VALID, VALID, VALID", "INVALID, INVALID, INVALID", "DEACTIVATED, DEACTIVATED, DEACTIVATED",
            "REVOKED, REVOKED, REVOKED"})
    void aChallengeOutcomeMovesOnlyAPendingAuthorization(AuthorizationStatus from, AuthorizationStatus onValid, AuthorizationStatus onInvalid) {
        assertThat(authorization(from, NOW).onChallengeValid()).isEqualTo(onValid);
        assertThat(authorization(from, NOW).onChallengeInvalid()).isEqualTo(onInvalid);
    }

    @ParameterizedTest(name = "a {0} authorization may be deactivated: {1}")
    @CsvSource({"PENDING, true", "VALID, true", "INVALID, false", "DEACTIVATED, false", "EXPIRED, false", "REVOKED, false"})
    void onlyPendingAndValidAuthorizationsMayBeDeactivated(AuthorizationStatus status, boolean deactivatable) {
        assertThat(status.deactivatable()).isEqualTo(deactivatable);
    }

    @ParameterizedTest(name = "a {0} challenge starts validating on a response: {1}")
    @CsvSource({"PENDING, true", "PROCESSING, false", "VALID, false", "INVALID, false"})
    void onlyAPendingChallengeStarts(ChallengeStatus status, boolean startable) {
        assertThat(status.startable()).isEqualTo(startable);
    }

    @ParameterizedTest(name = "a validation that succeeded {0} leaves the challenge {1}")
    @CsvSource({"true, VALID", "false, INVALID"})
    void aValidationEndsTheChallenge(boolean valid, ChallengeStatus after) {
        assertThat(ChallengeStatus.afterValidation(valid)).isEqualTo(after);
    }

    static Stream<Arguments> offers() {
        return Stream.of(
                Arguments.of("a DNS name", new Identifier(IdentifierType.DNS, "a.test"), false,
                        List.of(ChallengeType.HTTP_01, ChallengeType.DNS_01, ChallengeType.TLS_ALPN_01)),
                Arguments.of("a wildcard's base name", new Identifier(IdentifierType.DNS, "a.test"), true, List.of(ChallengeType.DNS_01)),
                Arguments.of("an IP address", new Identifier(IdentifierType.IP, "192.0.2.1"), false,
                        List.of(ChallengeType.HTTP_01, ChallengeType.TLS_ALPN_01)));
    }

    @ParameterizedTest(name = "{0} is offered {3}")
    @MethodSource("offers")
    void theChallengesOfferedFitTheIdentifier(String description, Identifier identifier, boolean wildcard, List<ChallengeType> offered) {
        assertThat(Authorization.challengeTypes(identifier, wildcard)).isEqualTo(offered);
    }
}
