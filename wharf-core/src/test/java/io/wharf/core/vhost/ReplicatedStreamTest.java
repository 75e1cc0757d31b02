package io.wharf.core.vhost;

import io.wharf.core.TestBroker;
import io.wharf.core.stream.GroupOffsets;
import io.wharf.core.stream.PartitionAddress;
import io.wharf.core.stream.PartitionCommand;
import io.wharf.core.stream.PartitionCommandCodec;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.core.stream.StreamPartition;
import io.wharf.storage.log.LogSlice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.wharf.core.stream.TestBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two brokers joined to one log of partition commands, standing in for a data group: what either
 * writes to a stream partition is written on both at the same offsets, and a replica given the
 * log again after a restart writes nothing twice; a consumer group's offsets go the same way.
 */
class ReplicatedStreamTest {

    @TempDir
    Path first;

    @TempDir
    Path second;

    private static ByteBuffer bytes(StreamPartition p) {
        try (LogSlice s = p.read(p.logStartOffset(), 1 << 20)) {
            ByteBuffer b = s.bytes();
            return ByteBuffer.allocate(b.remaining()).put(b).flip();
        }
    }

    @Test
    void shouldWriteWhatEitherNodeAppendsOnBothAtTheSameOffsetsAndNothingTwiceWhenTheLogIsGivenAgain() throws Exception {
        try (TestBroker a = new TestBroker(first); TestBroker b = new TestBroker(second)) {
            SharedClusterLog log = new SharedClusterLog();
            log.join(a.broker(), b.broker());
            a.vhost().streamAdmin().create(new StreamDefinition("orders", 1, Map.of()), a.client).get(10, TimeUnit.SECONDS);
            StreamPartition onA = a.vhost().stream("orders").partition(0);
            StreamPartition onB = b.vhost().stream("orders").partition(0);

            assertThat(onA.append(batch(-1, 0, false, "a", "b")).get(10, TimeUnit.SECONDS)).isZero();
            assertThat(onB.append(batch(-1, 0, false, "c")).get(10, TimeUnit.SECONDS)).isEqualTo(2);
            StreamPartition.IdempotentAppend fresh = onA.appendIdempotent(batch(7, 0, false, "d"), 7, (short) 0, 0, 0)
                    .get(10, TimeUnit.SECONDS);
            assertThat(((StreamPartition.Appended) fresh).baseOffset().get(10, TimeUnit.SECONDS)).isEqualTo(3);
            // A retry reaching the other node is known there too: the producer state is the same on both.
            assertThat(onB.appendIdempotent(batch(7, 0, false, "d"), 7, (short) 0, 0, 0).get(10, TimeUnit.SECONDS))
                    .isEqualTo(new StreamPartition.AlreadyWritten(3));
            onB.appendTransactional(batch(9, 0, true, "t1"), 9, (short) 0, 0, 0).get(10, TimeUnit.SECONDS);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(onA.lastStableOffset())
                    .as("an open transaction holds readers back on every node").isEqualTo(4));
            assertThat(onA.endTransaction(9, (short) 0, true, 0, 2_000L).get(10, TimeUnit.SECONDS)).isEqualTo(5);

            // Answered once the group's log has it; readers see it once each replica's own log has it on disk.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(onA.highWatermark()).isEqualTo(6);
                assertThat(onB.highWatermark()).isEqualTo(6);
                assertThat(onB.lastStableOffset()).isEqualTo(6);
            });
            assertThat(bytes(onB)).isEqualTo(bytes(onA));

            // b restarts with no checkpoint yet: its group's log is given to it again from the first command.
            PartitionApplier again = b.broker().partitionApplier("data-0", i -> java.util.concurrent.CompletableFuture.completedFuture(null));
            long index = 0;
            for (byte[] command : log.partitionLog) {
                again.apply(++index, command).get(10, TimeUnit.SECONDS);
            }
            assertThat(onB.highWatermark()).as("nothing written twice").isEqualTo(6);
            assertThat(bytes(onB)).isEqualTo(bytes(onA));

            // A consumer group's offsets, committed on either node, are on both.
            a.vhost().groupOffsets().commit("auditors", "orders", 0, 4, "seen").get(10, TimeUnit.SECONDS);
            assertThat(b.vhost().groupOffsets().get("auditors", "orders", 0)).contains(
                    new GroupOffsets.Committed("orders", 0, 4, "seen"));
            b.vhost().groupOffsets().delete("auditors").get(10, TimeUnit.SECONDS);
            assertThat(a.vhost().groupOffsets().all("auditors")).isEmpty();
        }
    }

    @Test
    void shouldCarryEveryPartitionCommandThroughItsBytes() {
        PartitionAddress address = new PartitionAddress("/", "orders", UUID.randomUUID(), 3);
        List<PartitionCommand> commands = List.of(
                new PartitionCommand.Append(batch(-1, 0, false, "a")),
                new PartitionCommand.AppendIdempotent(batch(7, 4, true, "b", "c"), 7, (short) 2, 4, 5, true),
                new PartitionCommand.EndTransaction(7, (short) 2, false, 3, 9_000L),
                new PartitionCommand.DeleteRecords(12));
        for (PartitionCommand c : commands) {
            PartitionCommandCodec.PartitionChange d = (PartitionCommandCodec.PartitionChange) PartitionCommandCodec.decode(PartitionCommandCodec.encode(41, address, c));
            assertThat(d.metadataIndex()).isEqualTo(41);
            assertThat(d.address()).isEqualTo(address);
            switch (c) {
                case PartitionCommand.Append x -> assertThat(((PartitionCommand.Append) d.command()).batch().bytes())
                        .isEqualTo(x.batch().bytes());
                case PartitionCommand.AppendIdempotent x -> {
                    PartitionCommand.AppendIdempotent y = (PartitionCommand.AppendIdempotent) d.command();
                    assertThat(y.batch().bytes()).isEqualTo(x.batch().bytes());
                    assertThat(List.of(y.producerId(), y.epoch(), y.firstSequence(), y.lastSequence(), y.transactional()))
                            .isEqualTo(List.of(x.producerId(), x.epoch(), x.firstSequence(), x.lastSequence(), x.transactional()));
                }
                default -> assertThat(d.command()).isEqualTo(c);
            }
        }
        assertThat(PartitionCommandCodec.decodeResult(commands.get(1), PartitionCommandCodec.encodeResult(
                new StreamPartition.SequenceGap(4)))).isEqualTo(new StreamPartition.SequenceGap(4));
        assertThat(PartitionCommandCodec.decodeResult(commands.get(0), PartitionCommandCodec.encodeResult(17L))).isEqualTo(17L);
    }
}
