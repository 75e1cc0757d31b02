package io.wharf.core.stream;

import io.wharf.core.TestBroker;
import io.wharf.storage.record.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

import static io.wharf.core.stream.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;

/** The seam replication needs: a stream partition changes by commands, and the same commands give the same partition. */
class PartitionCommandsTest {

    @TempDir
    Path dir;

    /** Fresh buffers for each partition: a command's batch is read when it is applied. */
    private static List<Supplier<PartitionCommand>> commands() {
        return List.of(
                () -> new PartitionCommand.Append(batch(-1, 0, false, "a", "b")),
                () -> new PartitionCommand.AppendIdempotent(batch(7, 0, false, "c"), 7, (short) 0, 0, 0, false),
                // A retry of the batch just written: nothing is appended.
                () -> new PartitionCommand.AppendIdempotent(batch(7, 0, false, "c"), 7, (short) 0, 0, 0, false),
                () -> new PartitionCommand.AppendIdempotent(batch(9, 0, true, "t1", "t2"), 9, (short) 0, 0, 1, true),
                () -> new PartitionCommand.EndTransaction(9, (short) 0, false, 0, 2_000L),
                () -> new PartitionCommand.AppendIdempotent(batch(9, 2, true, "t3"), 9, (short) 0, 2, 2, true),
                () -> new PartitionCommand.EndTransaction(9, (short) 0, true, 0, 3_000L),
                () -> new PartitionCommand.DeleteRecords(1));
    }

    private static List<String> committed(StreamPartition p) {
        List<String> out = new ArrayList<>();
        StreamPartition.CommittedRead r = p.readCommitted(p.logStartOffset(), 1 << 20);
        for (Record rec : r.records()) {
            out.add(rec.offset() + "=" + StandardCharsets.UTF_8.decode(rec.value()));
        }
        return out;
    }

    @Test
    void shouldLeaveTwoPartitionsGivenTheSameCommandsHoldingTheSameRecordsAndProducerState() throws Exception {
        try (TestBroker broker = new TestBroker(dir)) {
            List<StreamPartition> parts = new ArrayList<>();
            for (String name : List.of("one", "two")) {
                parts.add(broker.vhost().streamAdmin().create(new StreamDefinition(name, 1, Map.of()), broker.client)
                        .get(10, TimeUnit.SECONDS).partition(0));
            }
            List<List<Object>> answers = new ArrayList<>();
            for (StreamPartition p : parts) {
                List<Object> mine = new ArrayList<>();
                for (Supplier<PartitionCommand> c : commands()) {
                    Object answer = p.apply(c.get()).get(10, TimeUnit.SECONDS);
                    if (answer instanceof StreamPartition.Appended a) {
                        answer = "appended at " + a.baseOffset().get(10, TimeUnit.SECONDS);
                    }
                    mine.add(answer);
                }
                answers.add(mine);
            }

            assertThat(answers.get(0)).containsExactly(0L, "appended at 2", new StreamPartition.AlreadyWritten(2),
                    "appended at 3", 5L, "appended at 6", 7L, 1L);
            assertThat(answers.get(1)).isEqualTo(answers.get(0));
            for (StreamPartition p : parts) {
                assertThat(p.logStartOffset()).isEqualTo(1);
                assertThat(p.highWatermark()).isEqualTo(8);
                assertThat(p.lastStableOffset()).isEqualTo(8);
                // The aborted transaction's records are not read as committed; markers are never records.
                assertThat(committed(p)).containsExactly("1=b", "2=c", "6=t3");
                assertThat(p.abortedTransactions(0, 8)).containsExactly(new StreamPartition.AbortedTransaction(9, 3, 5));
            }
        }
    }
}
