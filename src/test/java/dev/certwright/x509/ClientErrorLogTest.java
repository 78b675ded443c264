package dev.certwright.x509;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClientErrorLogTest {

    @Test
    void aKindWritesAtMostFiveLinesAMinuteAndCountsTheRest() {
        String kind = "test-" + System.nanoTime();
        long minute = System.currentTimeMillis() / 60_000;
        for (int i = 0; i < 50; i++) {
            ClientErrorLog.refused(kind, "bad input " + i + "\n forged line");
        }
        // A minute boundary during the loop resets the count; then fewer are suppressed, never more.
        if (System.currentTimeMillis() / 60_000 == minute) {
            assertThat(ClientErrorLog.suppressed(kind)).isEqualTo(50 - ClientErrorLog.PER_MINUTE);
        } else {
            assertThat(ClientErrorLog.suppressed(kind)).isLessThanOrEqualTo(50 - ClientErrorLog.PER_MINUTE);
        }
        assertThat(ClientErrorLog.suppressed("another-" + kind)).isZero();
    }
}
