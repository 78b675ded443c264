package dev.certwright.policy;

import java.time.Duration;

/**
 * How long before notAfter a certificate should be renewed: the one rule that both scheduled renewal of managed
 * certificates and ACME Renewal Information (RFC 9773 §4.2) use, so that both agree on a certificate's window.
 */
public final class RenewalLead {

    private RenewalLead() {
    }

    /**
     * The first rule given (a managed certificate's own {@code renewBefore}, then its profile's), else a third of the
     * certificate's life. A rule that is negative or not shorter than the whole life (a profile rule on a short-lived
     * certificate) also falls back to a third of the life.
     *
     * @param life the certificate's validity, notBefore to notAfter
     * @param rules the rules in order of precedence; null entries are skipped
     */
    public static Duration of(Duration life, Duration... rules) {
        Duration lead = null;
        for (Duration rule : rules) {
            if (rule != null) {
                lead = rule;
                break;
            }
        }
        if (lead == null || lead.isNegative() || lead.compareTo(life) >= 0) {
            return life.dividedBy(3);
        }
        return lead;
    }
}
