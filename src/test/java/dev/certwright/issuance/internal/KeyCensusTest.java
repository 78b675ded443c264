package dev.certwright.issuance.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The counts a KEK rotation reports and decides on (decision 68). */
class KeyCensusTest {

    static final KeyCensus MID_ROTATION = new KeyCensus(ordered(
            "certificate-keys", Map.of("kek-1", 5L, "kek-2", 7L, "kek-3", 2L),
            "ssh-identity", Map.of("kek-3", 1L)));

    @ParameterizedTest(name = "{1} keys name another KEK than {0}")
    @CsvSource({"kek-3, 12", "kek-2, 8", "kek-1, 10", "kek-4, 15"})
    void keysLeftAreThoseUnderAnyOtherKek(String current, long left) {
        assertThat(MID_ROTATION.notUnder(current)).isEqualTo(left);
    }

    @Test
    void theKindsAreAddedUpPerKekAndDescribedForTheAuditLog() {
        assertThat(MID_ROTATION.byKek()).containsExactly(Map.entry("kek-1", 5L), Map.entry("kek-2", 7L), Map.entry("kek-3", 3L));
        assertThat(MID_ROTATION.under("kek-3")).isEqualTo("certificate-keys=2 ssh-identity=1");
        assertThat(MID_ROTATION.otherThan("kek-3")).isEqualTo("certificate-keys=12 ssh-identity=0");
    }

    @Test
    void keysUnderAKekNoKeystoreHoldsAreCountedApart() {
        assertThat(MID_ROTATION.underNoneOf(List.of("kek-1", "kek-2", "kek-3"))).isZero();
        assertThat(MID_ROTATION.underNoneOf(List.of("kek-2", "kek-3"))).isEqualTo(5);
    }

    @Test
    void noStoredKeysIsNothingLeft() {
        KeyCensus empty = new KeyCensus(ordered("certificate-keys", Map.of(), "ssh-identity", Map.of()));
        assertThat(empty.notUnder("kek-2")).isZero();
        assertThat(empty.under("kek-2")).isEqualTo("certificate-keys=0 ssh-identity=0");
    }

    private static Map<String, Map<String, Long>> ordered(String kind1, Map<String, Long> counts1, String kind2, Map<String, Long> counts2) {
        Map<String, Map<String, Long>> map = new LinkedHashMap<>();
        map.put(kind1, counts1);
        map.put(kind2, counts2);
        return map;
    }
}
