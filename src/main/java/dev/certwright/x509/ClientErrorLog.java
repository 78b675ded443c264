package dev.certwright.x509;

import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs input refused at a boundary (a malformed OCSP request, CSR, JWS or PEM) as one warning line without a stack
 * trace, at most {@link #PER_MINUTE} lines a minute for each kind; the rest of a minute is counted and the count said
 * in the next line. A client that sends garbage at line rate must not fill the disk with log: the first finding was
 * 4 KB of stack trace per request at 22 requests a second.
 */
public final class ClientErrorLog {

    /** Lines a minute for one kind. */
    public static final int PER_MINUTE = 5;
    private static final Logger log = LoggerFactory.getLogger(ClientErrorLog.class);
    private static final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    private ClientErrorLog() {
    }

    /** Counts lines in the current minute of one kind, and those that were not written. */
    private static final class Window {
        long minute;
        int written;
        long suppressed;
    }

    /** Logs {@code detail} for {@code kind} (such as "ocsp", "csr", "jws") unless this kind's minute is used up. */
    public static void refused(String kind, String detail) {
        long minute = System.currentTimeMillis() / 60_000;
        long suppressedBefore;
        Window window = windows.computeIfAbsent(kind, k -> new Window());
        synchronized (window) {
            if (window.minute != minute) {
                suppressedBefore = window.suppressed;
                window.minute = minute;
                window.written = 0;
                window.suppressed = 0;
            } else {
                suppressedBefore = 0;
            }
            if (window.written >= PER_MINUTE) {
                window.suppressed++;
                return;
            }
            window.written++;
        }
        if (suppressedBefore > 0) {
            log.warn("refused {} input: {} ({} more refused without a log line in the minute before)", kind, clean(detail), suppressedBefore);
        } else {
            log.warn("refused {} input: {}", kind, clean(detail));
        }
    }

    /** One short line: a client's text must not forge log lines. */
    private static String clean(String detail) {
        String text = detail == null ? "" : detail.replaceAll("[\\p{Cntrl}]", "?");
        return text.length() > 200 ? text.substring(0, 200) + "…" : text;
    }

    /** Lines not written so far in the current minute, for tests. */
    static long suppressed(String kind) {
        Window window = windows.get(kind);
        if (window == null) {
            return 0;
        }
        synchronized (window) {
            return window.suppressed;
        }
    }
}
