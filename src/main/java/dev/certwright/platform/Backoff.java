package dev.certwright.platform;

import java.time.Duration;

/** Exponential backoff for retried work. */
public final class Backoff {

    private Backoff() {
    }

    /** {@code first × 2^(attempts − 1)}, at most {@code ceiling}: the wait after the given number of failed attempts. */
    public static Duration after(int attempts, Duration first, Duration ceiling) {
        Duration wait = first;
        for (int i = 1; i < attempts && wait.compareTo(ceiling) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(ceiling) > 0 ? ceiling : wait;
    }
}
