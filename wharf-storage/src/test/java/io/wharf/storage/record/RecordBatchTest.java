package io.wharf.storage.record;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecordBatchTest {

    @Test
    void shouldLayOutTheHeaderAsTheV2BatchFormatDoes() {
        ByteBuffer bytes = new RecordBatchBuilder()
                .producer(7, (short) 3, 42)
                .append(1_000, "k".getBytes(), "v".getBytes())
                .build();

        assertThat(bytes.getLong(0)).as("base offset").isZero();
        assertThat(bytes.getInt(8)).as("batch length").isEqualTo(bytes.limit() - 12);
        assertThat(bytes.get(16)).as("magic").isEqualTo((byte) 2);
        assertThat(bytes.getLong(43)).as("producer id").isEqualTo(7);
        assertThat(bytes.getShort(51)).as("producer epoch").isEqualTo((short) 3);
        assertThat(bytes.getInt(53)).as("base sequence").isEqualTo(42);
        assertThat(bytes.getInt(57)).as("record count").isEqualTo(1);
        // length 8 (zigzag 0x10), attributes 0, timestamp delta 0, offset delta 0,
        // key length 1 (zigzag 0x02) "k", value length 1 "v", no headers
        assertThat(HexFormat.of().formatHex(bytes.array(), 61, bytes.limit()))
                .isEqualTo("10000000026b027600");
    }

    @Test
    void shouldReportSequenceWrapAround() {
        ByteBuffer bytes = new RecordBatchBuilder().producer(1, (short) 0, Integer.MAX_VALUE)
                .append(1, null, new byte[1]).append(1, null, new byte[1]).build();

        assertThat(RecordBatch.wrap(bytes).lastSequence()).isZero();
    }

    @Test
    void shouldRefuseToDecodeCompressedBatches() {
        ByteBuffer bytes = new RecordBatchBuilder().append(1, null, new byte[1]).build();
        bytes.putShort(21, (short) 1);

        assertThatThrownBy(() -> RecordBatch.wrap(bytes).records()).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("GZIP");
    }

    @Test
    void shouldRejectAnUnknownMagic() {
        ByteBuffer bytes = new RecordBatchBuilder().append(1, null, new byte[1]).build();
        bytes.put(16, (byte) 1);

        assertThatThrownBy(() -> RecordBatch.wrap(bytes)).hasMessageContaining("magic 1");
    }

    @Test
    void shouldReadNullKeysValuesAndHeaderValues() {
        ByteBuffer bytes = new RecordBatchBuilder()
                .append(5, null, null, List.of(new Header("h", null))).build();

        Record r = RecordBatch.wrap(bytes).recordList().get(0);

        assertThat(r.key()).isNull();
        assertThat(r.value()).isNull();
        assertThat(r.headers()).containsExactly(new Header("h", null));
    }

    @Test
    void shouldCheckABatchFromElsewhereOnceAndTrustOneItBuilt() {
        CheckedBatch built = new RecordBatchBuilder().append(1, null, new byte[] {1, 2, 3}).buildChecked();
        assertThat(built.batch().isValid()).isTrue();
        assertThat(built.batch().sizeInBytes()).isEqualTo(built.bytes().remaining());

        ByteBuffer received = new RecordBatchBuilder().append(1, null, new byte[] {1, 2, 3}).build();
        assertThat(CheckedBatch.check(received.duplicate()).batch().lastOffset()).isZero();
        // One bit flipped in the value: the CRC no longer matches.
        received.put(received.limit() - 2, (byte) (received.get(received.limit() - 2) ^ 1));
        assertThatThrownBy(() -> CheckedBatch.check(received)).isInstanceOf(InvalidRecordException.class)
                .hasMessageContaining("CRC");
    }

    /** Values gathered rather than copied: the parts joined are byte for byte the batch built in one buffer. */
    @Test
    void shouldBuildTheSameBatchInPartsAsInOneBuffer() {
        byte[] large = new byte[700];
        java.util.Arrays.fill(large, (byte) 7);
        List<Header> headers = List.of(new Header("x-exchange", "amq.direct".getBytes()));
        ByteBuffer whole = new RecordBatchBuilder()
                .append(5, ByteBuffer.wrap("a".getBytes()), ByteBuffer.wrap(large), headers)
                .append(6, ByteBuffer.wrap("b".getBytes()), ByteBuffer.wrap("small".getBytes()), headers)
                .append(7, null, ByteBuffer.wrap(large), List.of())
                .build();
        CheckedBatch parts = new RecordBatchBuilder().gatherValuesFrom(256)
                .append(5, ByteBuffer.wrap("a".getBytes()), ByteBuffer.wrap(large), headers)
                .append(6, ByteBuffer.wrap("b".getBytes()), ByteBuffer.wrap("small".getBytes()), headers)
                .append(7, null, ByteBuffer.wrap(large), List.of())
                .buildChecked();

        assertThat(parts.parts()).hasSize(5);
        assertThat(parts.parts()[1].array()).isSameAs(large);
        assertThat(parts.sizeInBytes()).isEqualTo(whole.remaining());
        assertThat(parts.bytes()).isEqualTo(whole);
        assertThat(parts.batch().isValid()).isTrue();
        assertThat(parts.lastOffsetDelta()).isEqualTo(2);
        assertThat(parts.maxTimestamp()).isEqualTo(7);
    }
}
