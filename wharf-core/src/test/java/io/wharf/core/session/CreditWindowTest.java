package io.wharf.core.session;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class CreditWindowTest {

    @Test
    void shouldHoldAtMostItsCountAndSayWhenRoomIsFreedForThoseItRefused() {
        CreditWindow w = new CreditWindow(2, 0, null);

        assertThat(w.tryTake(10)).isTrue();
        assertThat(w.tryTake(10)).isTrue();
        assertThat(w.tryTake(10)).isFalse();
        assertThat(w.taken()).isEqualTo(2);
        assertThat(w.giveBack(1, 10)).as("it was full").isTrue();
        assertThat(w.giveBack(1, 10)).as("it was not full").isFalse();
        assertThat(w.taken()).isZero();
    }

    @Test
    void shouldLetOneDeliveryLargerThanTheByteLimitThroughAsRabbitMqDoes() {
        CreditWindow w = new CreditWindow(0, 100, null);

        assertThat(w.tryTake(500)).isTrue();
        assertThat(w.tryTake(1)).isFalse();
        w.giveBack(1, 500);
        assertThat(w.tryTake(60)).isTrue();
        assertThat(w.tryTake(40)).isTrue();
        assertThat(w.tryTake(1)).isFalse();
    }

    @Test
    void shouldTakeRoomInItsParentTooOrInNeither() {
        CreditWindow channel = CreditWindow.unlimited();
        CreditWindow first = new CreditWindow(5, 0, channel);
        CreditWindow second = new CreditWindow(5, 0, channel);
        channel.resize(3, 0);

        assertThat(first.tryTake(1)).isTrue();
        assertThat(first.tryTake(1)).isTrue();
        assertThat(second.tryTake(1)).isTrue();
        assertThat(second.tryTake(1)).as("the channel is full").isFalse();
        assertThat(second.taken()).as("nothing kept of a refused take").isEqualTo(1);
        assertThat(first.giveBack(1, 1)).as("the channel was full").isTrue();
        assertThat(second.tryTake(1)).isTrue();
        assertThat(channel.taken()).isEqualTo(3);
    }

    @Test
    void shouldIgnoreSizesInAWindowOfCountOnly() {
        CreditWindow w = CreditWindow.ofCount(1);
        w.resize(1, 10);

        assertThat(w.tryTake(1_000)).isTrue();
        w.giveBack(1, 0);
        assertThat(w.tryTake(1_000)).isTrue();
        assertThat(w.limited()).isTrue();
    }

    @Test
    void shouldNeverHandOutMoreThanItsLimitUnderContention() throws Exception {
        CreditWindow parent = new CreditWindow(8, 0, null);
        List<CreditWindow> children = List.of(new CreditWindow(6, 0, parent), new CreditWindow(6, 0, parent));
        AtomicInteger held = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            CreditWindow w = children.get(t % 2);
            threads.add(Thread.ofPlatform().name("credit-" + t).start(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < 50_000; i++) {
                    if (w.tryTake(1)) {
                        most.accumulateAndGet(held.incrementAndGet(), Math::max);
                        held.decrementAndGet();
                        w.giveBack(1, 1);
                    }
                }
            }));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(most.get()).isLessThanOrEqualTo(8);
        assertThat(parent.taken()).isZero();
        assertThat(children).allSatisfy(c -> assertThat(c.taken()).isZero());
    }
}
