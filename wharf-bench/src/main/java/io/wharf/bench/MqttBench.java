package io.wharf.bench;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An MQTT load tool on HiveMQ's asynchronous MQTT client (on Netty), for any MQTT broker on
 * loopback. One of its subscribers takes well over 100,000 messages a second here, so the broker
 * sets the pace; Eclipse Paho 1.2.5, which passes each incoming message through three threads and a
 * ten-message queue, took about 30,000 from any broker, and a benchmark on it measured Paho.
 *
 * <pre>
 * MqttBench throughput PORT PAIRS QOS PAYLOAD_BYTES SECONDS MAX_MESSAGES_PER_PUBLISHER [clean|persistent]
 *     PAIRS publishers each publish to their own topic, read by one subscriber each, as fast as
 *     the in-flight window (100) allows, for SECONDS or MAX_MESSAGES_PER_PUBLISHER. Subscribers
 *     use clean sessions unless "persistent" is given, which makes their sessions outlive the
 *     connection (the broker keeps their messages durably, if it does so at all); prints
 *     "published=N received=N seconds=S rate=R p50_ms=X p99_ms=Y" (rate: messages received per
 *     second; latency: publish to receipt).
 * MqttBench connections PORT COUNT ADDRESSES
 *     opens COUNT idle MQTT 3.1.1 connections (keep-alive off) from 127.0.0.1 to 127.0.0.ADDRESSES,
 *     prints "connected=N" and holds them until standard input closes.
 * </pre>
 */
public final class MqttBench {

    private static final int INFLIGHT = 100;

    private MqttBench() {
    }

    public static void main(String[] args) throws Exception {
        switch (args.length > 0 ? args[0] : "") {
            case "throughput" -> throughput(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Long.parseLong(args[6]),
                    args.length > 7 && args[7].equals("persistent"));
            case "connections" -> connections(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: MqttBench throughput PORT PAIRS QOS PAYLOAD_BYTES SECONDS MAX_MESSAGES_PER_PUBLISHER [clean|persistent]"
                        + " | MqttBench connections PORT COUNT ADDRESSES");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- throughput

    private static Mqtt3AsyncClient connect(int port, String id, boolean cleanSession) throws Exception {
        Mqtt3AsyncClient c = MqttClient.builder().useMqttVersion3().identifier(id)
                .serverHost("127.0.0.1").serverPort(port).buildAsync();
        c.connectWith().cleanSession(cleanSession).keepAlive(60).send().get(30, TimeUnit.SECONDS);
        return c;
    }

    private static void throughput(int port, int pairs, int qos, int payloadBytes, int seconds, long maxPerPublisher,
                                   boolean persistent) throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        MqttQos level = MqttQos.fromCode(qos);
        AtomicLong received = new AtomicLong();
        AtomicLong published = new AtomicLong();
        AtomicLong lastReceipt = new AtomicLong();
        // Latencies of every 16th message, in microseconds, per subscriber.
        List<long[]> samples = new ArrayList<>();
        List<int[]> sampleCounts = new ArrayList<>();
        List<Mqtt3AsyncClient> subscribers = new ArrayList<>();
        List<Mqtt3AsyncClient> publishingClients = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            long[] lat = new long[1 << 20];
            int[] n = new int[1];
            samples.add(lat);
            sampleCounts.add(n);
            Mqtt3AsyncClient sub = connect(port, "sub-" + run + "-" + i, !persistent);
            // The client acknowledges a QoS 1 message once this callback has returned.
            sub.subscribeWith().topicFilter("bench/" + run + "/" + i).qos(level).callback(m -> {
                long now = System.nanoTime();
                long count = received.incrementAndGet();
                lastReceipt.set(now);
                if ((count & 15) == 0) {
                    synchronized (n) {
                        if (n[0] < lat.length) {
                            lat[n[0]++] = (now - m.getPayload().orElseThrow().getLong(0)) / 1000;
                        }
                    }
                }
            }).send().get(30, TimeUnit.SECONDS);
            subscribers.add(sub);
        }
        List<Thread> publishers = new ArrayList<>();
        long[] deadline = new long[1];
        for (int i = 0; i < pairs; i++) {
            Mqtt3AsyncClient pub = connect(port, "pub-" + run + "-" + i, true);
            publishingClients.add(pub);
            Semaphore window = new Semaphore(INFLIGHT);
            String topic = "bench/" + run + "/" + i;
            Thread t = new Thread(() -> {
                try {
                    for (long k = 0; k < maxPerPublisher && System.nanoTime() < deadline[0]; k++) {
                        if (qos > 0) {
                            while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                if (System.nanoTime() >= deadline[0]) {
                                    return;
                                }
                            }
                        }
                        byte[] payload = new byte[payloadBytes];
                        ByteBuffer.wrap(payload).putLong(System.nanoTime());
                        // The future completes on PUBACK at QoS 1, or once written at QoS 0.
                        pub.publishWith().topic(topic).qos(level).payload(payload).send().whenComplete((r, e) -> {
                            if (qos > 0) {
                                window.release();
                            }
                            if (e != null) {
                                System.err.println("publish failed: " + e);
                            }
                        });
                        published.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    System.err.println("publisher stopped: " + e);
                }
            }, "publisher-" + i);
            publishers.add(t);
        }
        // The clock starts once every client is connected and subscribed.
        long start = System.nanoTime();
        deadline[0] = start + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : publishers) {
            t.start();
        }
        for (Thread t : publishers) {
            t.join();
        }
        // Let the subscribers take what is under way, for at most 30 s.
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.get() < published.get() && System.nanoTime() < drainUntil) {
            Thread.sleep(20);
        }
        double elapsed = (Math.max(lastReceipt.get(), start) - start) / 1e9;
        long got = received.get();
        long total = 0;
        for (int[] n : sampleCounts) {
            total += n[0];
        }
        long[] all = new long[(int) total];
        int at = 0;
        for (int i = 0; i < pairs; i++) {
            System.arraycopy(samples.get(i), 0, all, at, sampleCounts.get(i)[0]);
            at += sampleCounts.get(i)[0];
        }
        Arrays.sort(all);
        System.out.printf("published=%d received=%d seconds=%.2f rate=%.0f p50_ms=%.2f p99_ms=%.2f%n", published.get(), got,
                elapsed, elapsed > 0 ? got / elapsed : 0, percentile(all, 0.50) / 1000.0, percentile(all, 0.99) / 1000.0);
        for (Mqtt3AsyncClient c : publishingClients) {
            disconnect(c, false);
        }
        for (Mqtt3AsyncClient c : subscribers) {
            disconnect(c, persistent);
        }
    }

    /** Disconnects, and with {@code endSession} reconnects cleanly once so the broker keeps nothing of the run. */
    private static void disconnect(Mqtt3AsyncClient c, boolean endSession) throws InterruptedException {
        try {
            c.disconnect().get(5, TimeUnit.SECONDS);
            if (endSession) {
                c.connectWith().cleanSession(true).send().get(30, TimeUnit.SECONDS);
                c.disconnect().get(5, TimeUnit.SECONDS);
            }
        } catch (ExecutionException | TimeoutException ignored) {
            // the run is over
        }
    }

    private static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
    }

    // ---------------------------------------------------------------- idle connections

    private static byte[] connectPacket(String clientId) {
        byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(new byte[] {0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 0});
        body.write(id.length >> 8);
        body.write(id.length);
        body.writeBytes(id);
        byte[] b = body.toByteArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x10);
        out.write(b.length);
        out.writeBytes(b);
        return out.toByteArray();
    }

    private static void connections(int port, int count, int addresses) throws IOException {
        List<Socket> open = new ArrayList<>(count);
        String run = Long.toString(System.nanoTime(), 36);
        for (int i = 0; i < count; i++) {
            Socket s = new Socket();
            s.bind(new InetSocketAddress("127.0.0." + (1 + i % addresses), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(connectPacket("idle-" + run + "-" + i));
            InputStream in = s.getInputStream();
            byte[] ack = in.readNBytes(4);
            if (ack.length != 4 || ack[0] != 0x20 || ack[3] != 0) {
                System.out.println("connected=" + open.size() + " refused=" + Arrays.toString(ack));
                System.exit(1);
            }
            open.add(s);
        }
        System.out.println("connected=" + open.size());
        System.out.flush();
        // Hold the connections until whoever started us closes our standard input.
        while (System.in.read() >= 0) {
            // keep reading
        }
        for (Socket s : open) {
            s.close();
        }
    }
}
