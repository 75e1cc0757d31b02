package io.wharf.storage.log;

/**
 * A damaged byte range of one segment, which every read skips.
 *
 * @param start       the first damaged byte
 * @param end         the first byte after the damage: where the next intact batch starts, or the file's end
 * @param firstOffset the first offset the damage hides: one past the last intact batch before it
 * @param nextOffset  the base offset of the intact batch at {@code end}, or -1 when no intact batch
 *                    follows within what was searched (the segment's end, or the end of a read): the
 *                    log knows what comes next
 * @param reason      what check the first damaged batch failed
 */
record Fence(int start, int end, long firstOffset, long nextOffset, String reason) {

    boolean covers(int position) {
        return start <= position && position < end;
    }

    boolean overlaps(int from, int to) {
        return start < to && end > from;
    }
}
