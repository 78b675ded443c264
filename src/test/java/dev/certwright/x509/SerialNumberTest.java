package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.SecureRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SerialNumberTest {

    @Test
    void randomSerialsArePositiveAndFitSixteenOctets() {
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 2000; i++) {
            SerialNumber serial = SerialNumber.random(random);
            assertThat(serial.value().signum()).isPositive();
            // DER INTEGER content: at most 16 octets because the top bit is clear (RFC 5280 §4.1.2.2).
            assertThat(serial.value().toByteArray().length).isLessThanOrEqualTo(16);
        }
    }

    @ParameterizedTest(name = "{0} parses to {1}")
    @CsvSource({"0A1B, 0a1b", "0a:1b, 0a1b", "A1B, 0a1b", "00:ff, ff", "  abc  , 0abc"})
    void parsesHexCaseInsensitivelyWithOptionalColons(String text, String hex) {
        assertThat(SerialNumber.parse(text).hex()).isEqualTo(hex);
    }

    @ParameterizedTest(name = "''{0}'' is refused")
    @ValueSource(strings = {"", "xyz", "0x12", "12 34", "1234567890123456789012345678901234567890ab"})
    void refusesWhatIsNotHex(String text) {
        assertThatThrownBy(() -> SerialNumber.parse(text)).isInstanceOf(X509Exception.class);
    }

    @Test
    void colonHexLooksLikeOpenssl() {
        assertThat(SerialNumber.parse("0a1bff").colonHex()).isEqualTo("0A:1B:FF");
    }
}
