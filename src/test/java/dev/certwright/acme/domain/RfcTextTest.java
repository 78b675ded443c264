package dev.certwright.acme.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The enums keep the exact RFC 8555 text the JSON and the database held as strings before: each value reads back from
 * its text, and its text (also its toString, for messages) is the RFC's.
 */
class RfcTextTest {

    static Stream<Arguments> texts() {
        return Stream.of(
                Arguments.of(OrderStatus.PENDING, "pending"), Arguments.of(OrderStatus.READY, "ready"),
                Arguments.of(OrderStatus.PROCESSING, "processing"), Arguments.of(OrderStatus.VALID, "valid"),
                Arguments.of(OrderStatus.INVALID, "invalid"),
                Arguments.of(AuthorizationStatus.PENDING, "pending"), Arguments.of(AuthorizationStatus.VALID, "valid"),
                Arguments.of(AuthorizationStatus.INVALID, "invalid"), Arguments.of(AuthorizationStatus.DEACTIVATED, "deactivated"),
                Arguments.of(AuthorizationStatus.EXPIRED, "expired"), Arguments.of(AuthorizationStatus.REVOKED, "revoked"),
                Arguments.of(ChallengeStatus.PENDING, "pending"), Arguments.of(ChallengeStatus.PROCESSING, "processing"),
                Arguments.of(ChallengeStatus.VALID, "valid"), Arguments.of(ChallengeStatus.INVALID, "invalid"),
                Arguments.of(AccountStatus.VALID, "valid"), Arguments.of(AccountStatus.DEACTIVATED, "deactivated"),
                Arguments.of(AccountStatus.REVOKED, "revoked"),
                Arguments.of(ChallengeType.HTTP_01, "http-01"), Arguments.of(ChallengeType.DNS_01, "dns-01"),
                Arguments.of(ChallengeType.TLS_ALPN_01, "tls-alpn-01"),
                Arguments.of(IdentifierType.DNS, "dns"), Arguments.of(IdentifierType.IP, "ip"));
    }

    @ParameterizedTest(name = "{0} is written \"{1}\" and read back from it")
    @MethodSource("texts")
    void everyValueKeepsItsRfcText(Enum<?> value, String text) throws ReflectiveOperationException {
        assertThat(value.getClass().getMethod("text").invoke(value)).isEqualTo(text);
        assertThat(value.toString()).isEqualTo(text);
        assertThat(value.getClass().getMethod("fromText", String.class).invoke(null, text)).isSameAs(value);
    }

    @ParameterizedTest(name = "\"{0}\" is no order status")
    @ValueSource(strings = {"PENDING", "expired", "", "deactivated"})
    void aTextThatIsNoValueIsRefused(String text) {
        assertThatThrownBy(() -> OrderStatus.fromText(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "the stored line \"{0}\" is the identifier and back")
    @ValueSource(strings = {"dns:a.test", "dns:*.a.test", "ip:192.0.2.1", "ip:2001:db8::1"})
    void anIdentifierLineRoundTrips(String line) {
        assertThat(Identifier.parse(line).line()).isEqualTo(line);
    }

    @ParameterizedTest(name = "{0} is a wildcard whose authorization is for {1}")
    @org.junit.jupiter.params.provider.CsvSource({"*.a.test, a.test", "*.b.a.test, b.a.test"})
    void aWildcardIsAuthorizedByItsBaseName(String value, String base) {
        Identifier identifier = new Identifier(IdentifierType.DNS, value);
        assertThat(identifier.wildcard()).isTrue();
        assertThat(identifier.base()).isEqualTo(new Identifier(IdentifierType.DNS, base));
    }
}
