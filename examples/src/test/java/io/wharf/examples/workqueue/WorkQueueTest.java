package io.wharf.examples.workqueue;

import com.rabbitmq.client.ConnectionFactory;
import io.wharf.examples.Brokers;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkQueueTest {

    // A broker per test: the task queue is durable and would otherwise carry tasks from one test to the next.
    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    @Test
    void shouldDeliverEachTaskToOneWorker() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        List<String> doneByFirst = new CopyOnWriteArrayList<>();
        List<String> doneBySecond = new CopyOnWriteArrayList<>();
        List<String> tasks = IntStream.rangeClosed(1, 12).mapToObj(i -> "task " + i + ".".repeat(1 + i % 3)).toList();

        try (Worker first = new Worker(factory, Duration.ofMillis(20), doneByFirst::add);
             Worker second = new Worker(factory, Duration.ofMillis(20), doneBySecond::add)) {
            first.start();
            second.start();
            NewTask.send(factory, tasks);

            await().until(() -> doneByFirst.size() + doneBySecond.size() >= tasks.size());
        }

        List<String> done = new ArrayList<>(doneByFirst);
        done.addAll(doneBySecond);
        assertThat(done).containsExactlyInAnyOrderElementsOf(tasks);
        assertThat(doneByFirst).isNotEmpty();
        assertThat(doneBySecond).isNotEmpty();
        // Anything delivered but not acknowledged would have been requeued when the workers disconnected.
        assertThat(Brokers.messagesIn(factory, NewTask.QUEUE)).isZero();
    }

    @Test
    void shouldNotHandABusyWorkerAnotherTask() throws Exception {
        ConnectionFactory factory = Brokers.factory(wharf);
        List<String> doneBySlow = new CopyOnWriteArrayList<>();
        List<String> doneByQuick = new CopyOnWriteArrayList<>();
        List<String> quickTasks = IntStream.rangeClosed(1, 6).mapToObj(i -> "quick " + i).toList();

        try (Worker slow = new Worker(factory, Duration.ofHours(1), doneBySlow::add);
             Worker quick = new Worker(factory, Duration.ZERO, doneByQuick::add)) {
            slow.start();
            NewTask.send(factory, List.of("endless ."));
            await().until(() -> Brokers.messagesIn(factory, NewTask.QUEUE) == 0);

            quick.start();
            NewTask.send(factory, quickTasks);

            // Had the busy worker been handed any of these, they would wait behind its endless task.
            await().until(() -> doneByQuick.size() >= quickTasks.size());
            assertThat(doneByQuick).containsExactlyElementsOf(quickTasks);
            assertThat(doneBySlow).isEmpty();
        }

        // Stopping the slow worker abandoned its task, unacknowledged: it is back in the queue.
        assertThat(Brokers.messagesIn(factory, NewTask.QUEUE)).isEqualTo(1);
    }

    @Test
    void shouldStartAWorkerWhileTasksAreWaiting() throws Exception {
        // The usual order at a terminal: tasks first, then a worker. Several rounds, because the
        // broker must send consume-ok before the first delivery however fast the queue dispatches.
        ConnectionFactory factory = Brokers.factory(wharf);
        for (int round = 1; round <= 20; round++) {
            List<String> tasks = List.of("round " + round + " a.", "round " + round + " b.");
            NewTask.send(factory, tasks);

            List<String> done = new CopyOnWriteArrayList<>();
            try (Worker worker = new Worker(factory, Duration.ZERO, done::add)) {
                worker.start();
                await().until(() -> done.size() >= tasks.size());
            }
            assertThat(done).containsExactlyElementsOf(tasks);
        }
    }

    @Test
    void shouldKeepQueuedTasksAcrossABrokerRestart() throws Exception {
        List<String> tasks = List.of("first.", "second..", "third...");
        NewTask.send(Brokers.factory(wharf), tasks);

        wharf.restart();

        List<String> done = new CopyOnWriteArrayList<>();
        try (Worker worker = new Worker(Brokers.factory(wharf), Duration.ZERO, done::add)) {
            worker.start();
            await().until(() -> done.size() >= tasks.size());
        }
        assertThat(done).containsExactlyElementsOf(tasks);
    }
}
