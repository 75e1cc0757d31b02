package io.wharf.storage.record;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordBatchProperties {

    /** A record as a test writes it. */
    record Input(long timestamp, byte[] key, byte[] value, List<Header> headers) {
    }

    @Provide
    Arbitrary<List<Input>> records() {
        Arbitrary<byte[]> bytes = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> nullableBytes = bytes.injectNull(0.2);
        Arbitrary<Header> header = Combinators.combine(Arbitraries.strings().ofMaxLength(20), nullableBytes).as(Header::new);
        Arbitrary<Long> timestamps = Arbitraries.longs().between(0, 4_000_000_000_000L);
        return Combinators.combine(timestamps, nullableBytes, nullableBytes, header.list().ofMaxSize(4))
                .as(Input::new).list().ofMinSize(1).ofMaxSize(40);
    }

    @Property
    void shouldDecodeWhatWasEncoded(@ForAll("records") List<Input> inputs, @ForAll long producerId,
                                    @ForAll short epoch, @ForAll @IntRange(min = 0) int sequence) {
        RecordBatchBuilder b = new RecordBatchBuilder().producer(producerId, epoch, sequence);
        inputs.forEach(in -> b.append(in.timestamp(), wrap(in.key()), wrap(in.value()), in.headers()));

        RecordBatch batch = RecordBatch.wrap(b.build());

        batch.ensureValid();
        assertThat(batch.recordCount()).isEqualTo(inputs.size());
        assertThat(batch.lastOffsetDelta()).isEqualTo(inputs.size() - 1);
        assertThat(batch.producerId()).isEqualTo(producerId);
        assertThat(batch.producerEpoch()).isEqualTo(epoch);
        assertThat(batch.baseSequence()).isEqualTo(sequence);
        assertThat(batch.maxTimestamp()).isEqualTo(inputs.stream().mapToLong(Input::timestamp).max().orElseThrow());
        List<Record> decoded = batch.recordList();
        for (int i = 0; i < inputs.size(); i++) {
            Input in = inputs.get(i);
            Record r = decoded.get(i);
            assertThat(r.offset()).isEqualTo(i);
            assertThat(r.timestamp()).isEqualTo(in.timestamp());
            assertThat(r.keyBytes()).isEqualTo(in.key());
            assertThat(r.valueBytes()).isEqualTo(in.value());
            assertThat(r.headers()).isEqualTo(in.headers());
        }
    }

    @Property
    void shouldDetectEveryFlippedBitUnderTheCrc(@ForAll("records") List<Input> inputs,
                                                @ForAll @IntRange(min = 0, max = Integer.MAX_VALUE) int where,
                                                @ForAll @IntRange(min = 0, max = 7) int bit) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        inputs.forEach(in -> b.append(in.timestamp(), wrap(in.key()), wrap(in.value()), in.headers()));
        ByteBuffer bytes = b.build();
        int covered = bytes.limit() - RecordBatch.ATTRIBUTES;
        int at = RecordBatch.ATTRIBUTES + where % covered;

        bytes.put(at, (byte) (bytes.get(at) ^ (1 << bit)));

        boolean accepted;
        try {
            accepted = RecordBatch.wrap(bytes).isValid();
        } catch (InvalidRecordException rejectedByHeaderChecks) {
            accepted = false;
        }
        assertThat(accepted).isFalse();
    }

    @Property
    void shouldKeepTheCrcValidWhenTheBaseOffsetChanges(@ForAll("records") List<Input> inputs, @ForAll long base) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        inputs.forEach(in -> b.append(in.timestamp(), wrap(in.key()), wrap(in.value()), in.headers()));
        ByteBuffer bytes = b.build();

        RecordBatch.setBaseOffset(bytes, base);

        RecordBatch batch = RecordBatch.wrap(bytes);
        assertThat(batch.isValid()).isTrue();
        assertThat(batch.baseOffset()).isEqualTo(base);
        assertThat(batch.recordList().get(0).offset()).isEqualTo(base);
    }

    @Property
    void shouldRejectBytesThatDoNotDescribeOneBatch(@ForAll @Size(max = 200) byte[] junk) {
        ByteBuffer buf = ByteBuffer.wrap(junk);
        try {
            RecordBatch batch = RecordBatch.wrap(buf);
            // The header happened to be plausible: decoding must fail cleanly or succeed, never misbehave.
            try {
                batch.recordList();
            } catch (InvalidRecordException expected) {
                return;
            }
            assertThat(batch.sizeInBytes()).isEqualTo(junk.length);
        } catch (InvalidRecordException expected) {
            assertThat(expected).hasMessageContaining("batch");
        }
    }

    @Property
    void shouldRoundTripVarints(@ForAll int i, @ForAll long l) {
        ByteBuffer buf = ByteBuffer.allocate(32);
        Varints.writeVarint(i, buf);
        Varints.writeVarlong(l, buf);
        assertThat(buf.position()).isEqualTo(Varints.sizeOfVarint(i) + Varints.sizeOfVarlong(l));
        buf.flip();
        assertThat(Varints.readVarint(buf)).isEqualTo(i);
        assertThat(Varints.readVarlong(buf)).isEqualTo(l);
    }

    @Property
    void shouldRejectOverlongVarints(@ForAll @IntRange(min = 6, max = 12) int length) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) 0x80);
        assertThatThrownBy(() -> Varints.readVarint(ByteBuffer.wrap(bytes))).isInstanceOf(InvalidRecordException.class);
    }

    private static ByteBuffer wrap(byte[] b) {
        return b == null ? null : ByteBuffer.wrap(b);
    }
}
