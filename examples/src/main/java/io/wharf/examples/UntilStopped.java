package io.wharf.examples;

import java.util.concurrent.CountDownLatch;

/**
 * Keeps a consuming example alive until the process is asked to stop (Ctrl-C or SIGTERM), then
 * closes what it was given so the broker sees a clean disconnect rather than a dropped socket.
 */
public final class UntilStopped {

    private UntilStopped() {
    }

    /** Blocks the calling thread until the JVM shuts down; closes {@code resource} on the way out. */
    public static void await(AutoCloseable resource) throws InterruptedException {
        CountDownLatch closed = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("error while closing: " + e);
            } finally {
                closed.countDown();
            }
        }, "example-shutdown"));
        closed.await();
    }
}
