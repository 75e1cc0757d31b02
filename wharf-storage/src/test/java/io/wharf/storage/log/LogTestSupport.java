package io.wharf.storage.log;

import io.wharf.storage.record.Header;
import io.wharf.storage.record.Record;
import io.wharf.storage.record.RecordBatchBuilder;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builders and readers shared by the log tests. */
final class LogTestSupport {

    private LogTestSupport() {
    }

    static ByteBuffer batch(long timestamp, String... values) {
        RecordBatchBuilder b = new RecordBatchBuilder();
        for (String v : values) {
            b.append(timestamp, null, ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8)), List.of(Header.of("h", v)));
        }
        return b.build();
    }

    static ByteBuffer batchOfSize(long timestamp, int records, int valueBytes) {
        RecordBatchBuilder b = new RecordBatchBuilder(records * (valueBytes + 16) + 64);
        byte[] v = new byte[valueBytes];
        for (int i = 0; i < records; i++) {
            b.append(timestamp, null, ByteBuffer.wrap(v), List.of());
        }
        return b.build();
    }

    static String value(Record r) {
        return StandardCharsets.UTF_8.decode(r.value().duplicate()).toString();
    }

    /** Every record from {@code from} to the end, reading in small slices. */
    static List<Record> readAll(Log log, long from, Log.ReadBound bound) {
        List<Record> out = new ArrayList<>();
        long offset = Math.max(from, log.startOffset());
        while (true) {
            try (LogSlice s = log.read(offset, 4096, bound)) {
                if (s.isEmpty()) {
                    return out;
                }
                out.addAll(s.records());
                offset = s.nextOffset();
            }
        }
    }

    static List<String> values(List<Record> records) {
        return records.stream().map(LogTestSupport::value).toList();
    }
}
