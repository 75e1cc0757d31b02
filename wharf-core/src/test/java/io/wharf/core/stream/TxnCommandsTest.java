package io.wharf.core.stream;

import io.wharf.core.TestBroker;
import io.wharf.core.stream.TransactionCoordinator.Outcome;
import io.wharf.core.stream.TransactionCoordinator.PartitionRef;
import io.wharf.core.stream.TransactionCoordinator.PendingOffset;
import io.wharf.core.stream.TransactionCoordinator.ProducerIdentity;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The seam replication needs: transactions change by commands, and the same commands give the same transactions. */
class TxnCommandsTest {

    @TempDir
    Path one;

    @TempDir
    Path two;

    private static final PartitionRef P0 = new PartitionRef("orders", 0);
    private static final long T = 1_700_000_000_000L;

    private static final List<TxnCommand> COMMANDS = List.of(
            new TxnCommand.InitProducer("app", 60_000, -1, (short) -1, 4_000, T),
            new TxnCommand.AddPartitions("app", 4_000, (short) 0, List.of(P0), T + 1),
            new TxnCommand.AddGroup("app", 4_000, (short) 0, "readers", T + 2),
            new TxnCommand.HoldOffsets("app", 4_000, (short) 0, "readers", Map.of(P0, new PendingOffset(7, "m"))),
            new TxnCommand.End("app", 4_000, (short) 0, true, T + 3),
            // A zombie of epoch 0 is fenced once the producer restarts.
            new TxnCommand.InitProducer("app", 60_000, 4_000, (short) 0, 4_001, T + 4),
            new TxnCommand.AddPartitions("app", 4_000, (short) 0, List.of(P0), T + 5),
            new TxnCommand.AddPartitions("app", 4_000, (short) 1, List.of(P0), T + 6),
            // Decided by a coordinator's clock: the open transaction outlived its timeout.
            new TxnCommand.TimeOut("app", 4_002, T + 70_000));

    private static List<Object> applyAll(TestBroker broker) throws Exception {
        broker.vhost().streamAdmin().create(new StreamDefinition("orders", 1, Map.of()), broker.client).get(10, TimeUnit.SECONDS);
        TransactionCoordinator txns = broker.vhost().transactions();
        List<Object> answers = new ArrayList<>();
        for (TxnCommand c : COMMANDS) {
            answers.add(txns.apply(c).get(10, TimeUnit.SECONDS));
        }
        return answers;
    }

    @Test
    void shouldReachTheSameTransactionsAndMarkersFromTheSameCommands() throws Exception {
        try (TestBroker a = new TestBroker(one); TestBroker b = new TestBroker(two)) {
            List<Object> answers = applyAll(a);
            assertThat(applyAll(b)).isEqualTo(answers);

            assertThat(answers).containsExactly(new ProducerIdentity(Outcome.NONE, 4_000, (short) 0), Outcome.NONE, Outcome.NONE,
                    Outcome.NONE, Outcome.NONE, new ProducerIdentity(Outcome.NONE, 4_000, (short) 1), Outcome.FENCED, Outcome.NONE,
                    Outcome.NONE);
            for (TestBroker broker : List.of(a, b)) {
                TransactionCoordinator.View view = broker.vhost().transactions().transactions().get(0);
                assertThat(view).isEqualTo(new TransactionCoordinator.View("app", 4_000, (short) 2, "CompleteAbort", 60_000, -1,
                        List.of()));
                // The commit's marker, then the timed-out transaction's abort marker.
                StreamPartition p = broker.vhost().stream("orders").partition(0);
                assertThat(p.highWatermark()).isEqualTo(2);
                assertThat(p.lastStableOffset()).isEqualTo(2);
                assertThat(broker.vhost().groupOffsets().get("readers", "orders", 0)).get()
                        .extracting(GroupOffsets.Committed::offset).isEqualTo(7L);
            }
        }
    }
}
