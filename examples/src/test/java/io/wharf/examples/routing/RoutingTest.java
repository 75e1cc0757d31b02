package io.wharf.examples.routing;

import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.Brokers;
import io.wharf.examples.LogLine;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RoutingTest {

    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldDeliverOnlyTheSeveritiesEachReceiverBound() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        LogLine debug = new LogLine("debug", "cache miss");
        LogLine info = new LogLine("info", "user logged in");
        LogLine warning = new LogLine("warning", "disk 80% full");
        LogLine error = new LogLine("error", "disk full");
        List<LogLine> errorsOnly = new CopyOnWriteArrayList<>();
        List<LogLine> allButDebug = new CopyOnWriteArrayList<>();

        try (ReceiveLogsDirect errors = new ReceiveLogsDirect(factory, List.of("error"), errorsOnly::add);
             ReceiveLogsDirect console = new ReceiveLogsDirect(factory, List.of("info", "warning", "error"),
                     allButDebug::add)) {
            errors.start();
            console.start();

            // Both receivers want the last line: once it has arrived, so has everything else.
            EmitLogDirect.emit(factory, List.of(debug, info, warning, debug, error));

            await().until(() -> errorsOnly.contains(error) && allButDebug.contains(error));
            assertThat(errorsOnly).containsExactly(error);
            assertThat(allButDebug).containsExactly(info, warning, error);
        }
    }

    @Test
    void shouldDeliverASeverityToEveryReceiverBoundToIt() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        LogLine error = new LogLine("error", "disk full");
        List<LogLine> toDisk = new CopyOnWriteArrayList<>();
        List<LogLine> toPager = new CopyOnWriteArrayList<>();

        try (ReceiveLogsDirect disk = new ReceiveLogsDirect(factory, List.of("error"), toDisk::add);
             ReceiveLogsDirect pager = new ReceiveLogsDirect(factory, List.of("error"), toPager::add)) {
            disk.start();
            pager.start();
            EmitLogDirect.emit(factory, List.of(error));

            await().until(() -> toDisk.contains(error) && toPager.contains(error));
            assertThat(toDisk).containsExactly(error);
            assertThat(toPager).containsExactly(error);
        }
    }

    @Test
    void shouldRefuseAReceiverWithoutSeverities() {
        assertThatThrownBy(() -> new ReceiveLogsDirect(Brokers.factory(wharf), List.of(), line -> { }))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
