package dev.certwright.acme.web;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JsonNestingTest {

    @Test
    void deepNestingIsMalformedAndBracketsInStringsDoNotCount() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> JsonNesting.check(deep, "the payload")).isInstanceOf(AcmeException.class)
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(((AcmeException) e).problem()).isEqualTo(AcmeProblem.malformed));
        assertThatCode(() -> JsonNesting.check("{\"a\":\"" + "[{".repeat(100) + "\\\"\",\"b\":[[{}]]}", "x")).doesNotThrowAnyException();
        assertThatCode(() -> JsonNesting.check("{\"identifiers\":[{\"type\":\"dns\",\"value\":\"a.test\"}]}", "x")).doesNotThrowAnyException();
        assertThatThrownBy(() -> JsonNesting.check("{\"a\":" + "{\"b\":".repeat(16) + "1" + "}".repeat(17), "x")).isInstanceOf(AcmeException.class);
    }
}
