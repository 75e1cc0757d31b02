package io.wharf.bench;

import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

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
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An MQTT load tool on the Eclipse Paho client, for any MQTT broker on loopback.
 *
 * <pre>
 * MqttBench throughput PORT PAIRS QOS PAYLOAD_BYTES SECONDS MAX_MESSAGES_PER_PUBLISHER
 *     PAIRS publishers each publish to their own topic, read by one subscriber each, as fast as
 *     the in-flight window (100) allows, for SECONDS or MAX_MESSAGES_PER_PUBLISHER; prints
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
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]), Long.parseLong(args[6]));
            case "connections" -> connections(Integer.parseInt(args[1]), Integer.parseInt(args[2]), Integer.parseInt(args[3]));
            default -> {
                System.err.println("usage: MqttBench throughput PORT PAIRS QOS PAYLOAD_BYTES SECONDS MAX_MESSAGES_PER_PUBLISHER"
                        + " | MqttBench connections PORT COUNT ADDRESSES");
                System.exit(2);
            }
        }
    }

    // ---------------------------------------------------------------- throughput

    private static MqttAsyncClient connect(int port, String id) throws MqttException {
        MqttAsyncClient c = new MqttAsyncClient("tcp://127.0.0.1:" + port, id, new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(INFLIGHT);
        o.setKeepAliveInterval(60);
        c.connect(o).waitForCompletion(30_000);
        return c;
    }

    private static void throughput(int port, int pairs, int qos, int payloadBytes, int seconds, long maxPerPublisher)
            throws Exception {
        String run = Long.toString(System.nanoTime(), 36);
        AtomicLong received = new AtomicLong();
        AtomicLong published = new AtomicLong();
        AtomicLong lastReceipt = new AtomicLong();
        // Latencies of every 16th message, in microseconds, per subscriber.
        List<long[]> samples = new ArrayList<>();
        List<int[]> sampleCounts = new ArrayList<>();
        List<MqttAsyncClient> clients = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            long[] lat = new long[1 << 20];
            int[] n = new int[1];
            samples.add(lat);
            sampleCounts.add(n);
            MqttAsyncClient sub = connect(port, "sub-" + run + "-" + i);
            sub.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    System.err.println("subscriber lost its connection: " + cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage m) {
                    long now = System.nanoTime();
                    long count = received.incrementAndGet();
                    lastReceipt.set(now);
                    if ((count & 15) == 0) {
                        synchronized (n) {
                            if (n[0] < lat.length) {
                                lat[n[0]++] = (now - ByteBuffer.wrap(m.getPayload()).getLong()) / 1000;
                            }
                        }
                    }
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                }
            });
            sub.subscribe("bench/" + run + "/" + i, qos).waitForCompletion(30_000);
            clients.add(sub);
        }
        List<Thread> publishers = new ArrayList<>();
        long[] deadline = new long[1];
        for (int i = 0; i < pairs; i++) {
            MqttAsyncClient pub = connect(port, "pub-" + run + "-" + i);
            clients.add(pub);
            Semaphore window = new Semaphore(INFLIGHT);
            pub.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    System.err.println("publisher lost its connection: " + cause);
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    window.release();
                }
            });
            String topic = "bench/" + run + "/" + i;
            Thread t = new Thread(() -> {
                byte[] payload = new byte[payloadBytes];
                try {
                    for (long k = 0; k < maxPerPublisher && System.nanoTime() < deadline[0]; k++) {
                        if (qos > 0) {
                            while (!window.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                                if (System.nanoTime() >= deadline[0]) {
                                    return;
                                }
                            }
                        }
                        ByteBuffer.wrap(payload).putLong(System.nanoTime());
                        MqttMessage m = new MqttMessage(payload);
                        m.setQos(qos);
                        pub.publish(topic, m);
                        published.incrementAndGet();
                    }
                } catch (MqttException | InterruptedException e) {
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
        for (MqttAsyncClient c : clients) {
            try {
                c.disconnect().waitForCompletion(5_000);
                c.close();
            } catch (MqttException ignored) {
                // the run is over
            }
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
