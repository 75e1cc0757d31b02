package io.wharf.storage.log;

import java.nio.file.Path;

/**
 * A damaged stretch of a log that reads skip: the bytes that failed their checks and the offsets
 * they held. Every record outside it stays readable at its offset; the offsets inside it are
 * never handed out again.
 *
 * @param log         the log's name
 * @param file        the segment file
 * @param startByte   the first damaged byte of the file
 * @param endByte     the first byte after the damage
 * @param firstOffset the first offset lost: one past the last intact record before the damage
 * @param nextOffset  the first offset readable after the damage
 * @param reason      the check the first damaged batch failed
 */
public record LogDamage(String log, Path file, long startByte, long endByte, long firstOffset, long nextOffset,
                        String reason) {

    /** How many offsets the damage took: the records skipped, counting a compressed batch's records one by one. */
    public long offsets() {
        return Math.max(0, nextOffset - firstOffset);
    }

    public long bytes() {
        return endByte - startByte;
    }

    @Override
    public String toString() {
        return file + " bytes [" + startByte + ", " + endByte + "): offsets [" + firstOffset + ", " + nextOffset
                + "), " + offsets() + " offset(s) skipped; " + reason;
    }
}
