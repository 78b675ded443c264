package dev.certwright.issuance;

import java.util.List;
import java.util.Map;

/**
 * What a reload of ca-config changes (or, for a dry run, would change), and what it refuses.
 *
 * @param issuersAdded configured issuers that get their first generation
 * @param issuersWaiting issuers that cannot be made yet, with why (their parent awaits its certificate)
 * @param issuersRetired issuers removed from the file that have nothing left to answer for
 * @param refusals sentences saying what in the file cannot be applied; a reload with any applies nothing
 * @param applied whether the changes are now in force
 */
public record ConfigChanges(boolean dryRun, List<String> issuersAdded, Map<String, String> issuersWaiting, List<String> issuersRetired,
        List<String> profilesAdded, List<String> profilesRemoved, List<String> profilesChanged, boolean policyChanged, List<String> refusals,
        boolean applied) {
}
