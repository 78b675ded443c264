package dev.certwright.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** KEK ids (decision 68): which texts are one, which is the newest, and what a rotation calls the next. */
class KekIdsTest {

    @ParameterizedTest(name = "{0} is KEK number {1}")
    @CsvSource({"kek-1, 1", "kek-2, 2", "kek-10, 10", "kek-999999999, 999999999"})
    void aKekIdHasItsNumber(String id, int number) {
        assertThat(KekIds.number(id)).contains(number);
    }

    @ParameterizedTest(name = "''{0}'' is no KEK id")
    @CsvSource(value = {"kek-0", "kek-01", "kek-", "kek-1a", "KEK-1", "'kek-1 '", "' kek-1'", "kek--1", "kek-1000000000", "issuer-kek-1", "dev-root", "''"})
    void otherTextsAreNoKekIds(String text) {
        assertThat(KekIds.number(text)).isEmpty();
        assertThat(KekIds.number(null)).isEmpty();
    }

    @ParameterizedTest(name = "after {0} comes {1}")
    @CsvSource(delimiter = ';', value = {"kek-1; kek-2", "kek-1,kek-2; kek-3", "kek-2,kek-1; kek-3", "kek-1,kek-9,kek-10; kek-11",
            "kek-1,dev-root,note; kek-2", "dev-root; kek-1"})
    void theNextIdIsOneAboveTheNewest(String ids, String next) {
        assertThat(KekIds.next(List.of(ids.split(",")))).isEqualTo(next);
    }

    @ParameterizedTest(name = "the newest of {0} is {1}")
    @CsvSource(delimiter = ';', value = {"kek-1; kek-1", "kek-9,kek-10; kek-10", "kek-3,kek-1,kek-2; kek-3"})
    void theNewestIsTheHighestNumberNotTheLastInTextOrder(String ids, String newest) {
        assertThat(KekIds.newest(List.of(ids.split(",")))).isEqualTo(Optional.of(newest));
    }
}
