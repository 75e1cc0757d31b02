package io.wharf.core.concurrent;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** One task at a time, in submission order, whether a command runs on the pool or on its caller. */
class SerialExecutorTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() throws InterruptedException {
        pool.shutdownNow();
        pool.awaitTermination(10, TimeUnit.SECONDS);
    }

    @Test
    void shouldRunACommandOnTheCallerWhenIdle() throws Exception {
        SerialExecutor owner = new SerialExecutor("test", pool, null);
        Thread caller = Thread.currentThread();
        Thread ran = owner.submitHereIfIdle(() -> CompletableFuture.completedFuture(Thread.currentThread())).get(10, TimeUnit.SECONDS);
        assertThat(ran).isSameAs(caller);
    }

    @Test
    void shouldQueueACommandBehindARunningTask() throws Exception {
        SerialExecutor owner = new SerialExecutor("test", pool, null);
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> order = new ArrayList<>();
        owner.execute(() -> {
            running.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            order.add("first");
        });
        running.await();
        CompletableFuture<Thread> second = owner.submitHereIfIdle(() -> {
            order.add("second");
            return CompletableFuture.completedFuture(Thread.currentThread());
        });
        assertThat(second).isNotDone();
        release.countDown();
        assertThat(second.get(10, TimeUnit.SECONDS)).isNotSameAs(Thread.currentThread());
        assertThat(order).containsExactly("first", "second");
    }

    /**
     * Threads submit numbered tasks both ways at once: no two tasks ever overlap, and each
     * thread's tasks run in the order it submitted them.
     */
    @Test
    void shouldNeverOverlapTasksAndKeepEachSubmittersOrder() throws Exception {
        SerialExecutor owner = new SerialExecutor("test", pool, null);
        int threads = 4;
        int perThread = 20_000;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        Map<Integer, Integer> lastSeen = new ConcurrentHashMap<>();
        AtomicInteger outOfOrder = new AtomicInteger();
        List<CompletableFuture<?>> done = new ArrayList<>();
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            CompletableFuture<Void> finished = new CompletableFuture<>();
            done.add(finished);
            submitters.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    int n = i;
                    Runnable task = () -> {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        Integer before = lastSeen.put(thread, n);
                        if (before != null && before != n - 1) {
                            outOfOrder.incrementAndGet();
                        }
                        inside.decrementAndGet();
                    };
                    if (n % 2 == 0) {
                        owner.execute(task);
                    } else {
                        owner.submitHereIfIdle(() -> {
                            task.run();
                            return CompletableFuture.completedFuture(null);
                        });
                    }
                }
                // The last task of each thread goes through execute: it completes the thread's share.
                owner.execute(() -> finished.complete(null));
            }));
        }
        for (Thread t : submitters) {
            t.join();
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertThat(overlaps).hasValue(0);
        assertThat(outOfOrder).hasValue(0);
        for (int t = 0; t < threads; t++) {
            assertThat(lastSeen.get(t)).isEqualTo(perThread - 1);
        }
    }
}
