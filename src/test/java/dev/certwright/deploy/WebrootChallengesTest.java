package dev.certwright.deploy;

import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WebrootChallengesTest {

    @ParameterizedTest(name = "token {0}, key authorization {1} is refused before any target is looked up")
    @CsvSource({"../../etc/passwd, abc.def", "a/b, a/b.def", "tok en, 'tok en.def'", "tok;rm, tok;rm.def", "token, token", "token, 'token.de f'",
            "'', .def"})
    void onlyBase64UrlTokensAndKeyAuthorizationsReachAPath(String token, String keyAuthorization) {
        WebrootChallenges challenges = new WebrootChallenges(null, null, null);
        assertThatIllegalArgumentException().isThrownBy(() -> challenges.publish("www.example.test", token, keyAuthorization));
    }
}
