package io.wharf.storage;

import io.wharf.storage.log.LogDamage;

import java.util.List;

/**
 * What one pass of the scrub checked and found.
 *
 * @param bytesChecked  bytes read and checked
 * @param logsChecked   logs walked, the stores' journals included
 * @param found         damaged stretches this pass found for the first time (each logged once)
 * @param damage        every damaged stretch known after the pass
 * @param otherProblems damaged snapshots of the stores, which the pass wrote afresh where it could
 * @param millis        how long the pass took
 */
public record ScrubReport(long bytesChecked, int logsChecked, List<LogDamage> found, List<LogDamage> damage,
                          List<String> otherProblems, long millis) {

    /** True when nothing anywhere is damaged. */
    public boolean isClean() {
        return damage.isEmpty() && otherProblems.isEmpty();
    }
}
