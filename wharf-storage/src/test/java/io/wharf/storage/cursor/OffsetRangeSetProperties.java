package io.wharf.storage.cursor;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.BitSet;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The range set checked against a bit set holding the same offsets. */
class OffsetRangeSetProperties {

    /** Add [first, first + length) or, when {@code removeBelow}, drop everything below {@code first}. */
    record Op(boolean removeBelow, int first, int length) {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        return Combinators.combine(Arbitraries.of(true, false, false, false, false, false),
                        Arbitraries.integers().between(0, 500), Arbitraries.integers().between(1, 20))
                .as(Op::new).list().ofMaxSize(200);
    }

    @Property(tries = 500)
    void shouldHoldExactlyTheOffsetsAddedAndNotRemoved(@ForAll("ops") List<Op> ops) {
        OffsetRangeSet set = new OffsetRangeSet();
        BitSet model = new BitSet();
        for (Op op : ops) {
            if (op.removeBelow()) {
                set.removeBelow(op.first());
                model.clear(0, op.first());
            } else {
                set.add(op.first(), op.first() + op.length() - 1);
                model.set(op.first(), op.first() + op.length());
            }
        }

        for (int i = 0; i < 530; i++) {
            assertThat(set.contains(i)).as("offset %d", i).isEqualTo(model.get(i));
            assertThat(set.firstAbsentFrom(i)).isEqualTo(model.nextClearBit(i));
        }
        assertThat(set.offsetCount()).isEqualTo(model.cardinality());
        List<OffsetRangeSet.Range> ranges = set.ranges();
        for (int i = 1; i < ranges.size(); i++) {
            assertThat(ranges.get(i).first()).as("ranges stay sorted and apart").isGreaterThan(ranges.get(i - 1).last() + 1);
        }
    }

    @Example
    void shouldStayOneRangeUnderInOrderAcknowledgements() {
        OffsetRangeSet set = new OffsetRangeSet();
        for (long i = 0; i < 100_000; i++) {
            set.add(i);
        }
        assertThat(set.rangeCount()).isEqualTo(1);
        assertThat(set.offsetCount()).isEqualTo(100_000);
    }
}
