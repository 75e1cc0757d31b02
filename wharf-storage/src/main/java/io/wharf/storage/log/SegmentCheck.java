package io.wharf.storage.log;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * Walks the batches of a segment file and checks each one: a header that can be right, a base
 * offset that follows the batch before it (the base offset lies outside the CRC), and, if asked,
 * a CRC that matches. It reports every intact batch and every damaged stretch (from the batch that
 * failed up to the next intact one, or to the limit) and steps over stretches already fenced off.
 * Reads only: recovery, the scrub and the offline verifier each decide what to do with a finding.
 */
final class SegmentCheck {

    static final String DAMAGED_HEADER = "the batch header is damaged";
    static final String DAMAGED_CONTENT = "its CRC does not match its content";
    static final String OFFSETS_DO_NOT_FOLLOW = "its base offset does not follow the batch before it";

    /** What a walk found, batch by batch. */
    interface Visitor {

        void intact(BatchScanner scan) throws IOException;

        /** A damaged stretch; its next offset is -1 when it runs to the limit. */
        void damaged(Fence damage) throws IOException;

        /** A stretch fenced off before the walk, stepped over. */
        default void fenced(Fence known) {
        }
    }

    private SegmentCheck() {
    }

    /**
     * Walks [from, limit) of a segment whose batch at {@code from} should start at offset
     * {@code expected}.
     *
     * @return the offset after the last intact batch (or known stretch) of the walk
     */
    static long walk(FileChannel channel, int from, int limit, long expected, Fences known, boolean checkCrc,
                     Visitor visitor) throws IOException {
        int start = from;
        long next = expected;
        // After a stretch that ran to where its next offset could not be told, any later one will do.
        boolean nextUnknown = false;
        while (true) {
            BatchScanner scan = new BatchScanner(channel, start, limit, known);
            Fence found = null;
            while (found == null) {
                BatchScanner.Status st = scan.next();
                if (st == BatchScanner.Status.END) {
                    return next;
                }
                if (st == BatchScanner.Status.FENCED) {
                    nextUnknown = scan.fence().nextOffset() < 0;
                    next = Math.max(next, scan.fence().nextOffset());
                    visitor.fenced(scan.fence());
                    continue;
                }
                String problem = problem(scan, st, nextUnknown ? -1 : next, checkCrc);
                if (problem == null && scan.baseOffset() >= next) {
                    visitor.intact(scan);
                    next = scan.lastOffset() + 1;
                    nextUnknown = false;
                } else {
                    found = damage(channel, scan.position(), next, limit, known,
                            problem == null ? OFFSETS_DO_NOT_FOLLOW : problem);
                }
            }
            visitor.damaged(found);
            if (found.nextOffset() < 0) {
                return next;
            }
            start = found.end();
            next = found.nextOffset();
            nextUnknown = false;
        }
    }

    /**
     * Why the batch the scanner stands at cannot be trusted, or null.
     *
     * @param expected the base offset it must have, or negative if unknown
     */
    static String problem(BatchScanner scan, BatchScanner.Status st, long expected, boolean checkCrc) throws IOException {
        if (st == BatchScanner.Status.BROKEN) {
            return DAMAGED_HEADER;
        }
        if (expected >= 0 && scan.baseOffset() != expected) {
            return OFFSETS_DO_NOT_FOLLOW;
        }
        if (checkCrc && !scan.batchIsIntact()) {
            return DAMAGED_CONTENT;
        }
        return null;
    }

    /**
     * The damaged stretch that starts at {@code position}: up to the next intact batch whose base
     * offset is past {@code firstOffset} (the damaged batch held at least that one), searching no
     * further than the next known stretch or {@code limit}.
     */
    static Fence damage(FileChannel channel, int position, long firstOffset, int limit, Fences known, String reason)
            throws IOException {
        Fence after = known.firstOverlapping(position, limit);
        int bound = after == null ? limit : after.start();
        int resume = DamageSearch.findValidBatch(channel, position + 1, bound, firstOffset + 1);
        if (resume >= 0) {
            return new Fence(position, resume, firstOffset, ChannelReads.baseOffsetAt(channel, resume), reason);
        }
        if (after != null) {
            return new Fence(position, bound, firstOffset, Math.max(firstOffset, after.firstOffset()), reason);
        }
        return new Fence(position, limit, firstOffset, -1, reason);
    }
}
