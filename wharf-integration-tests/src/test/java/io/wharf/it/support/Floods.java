package io.wharf.it.support;

import io.wharf.it.stomp.StompTestClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Publishers that send as fast as their client lets them, each from a thread of its own, for
 * flow-control tests. Each future completes when the client has every acknowledgement it asked for.
 */
public final class Floods {

    /** paho's reason code for a publish refused because too many are in flight. */
    private static final int PAHO_WINDOW_FULL = 32202;

    private Floods() {
    }

    /** {@code count} MQTT publishes of {@code body} at {@code qos}. */
    public static CompletableFuture<Void> mqtt(MqttAsyncClient client, String topic, int qos, int count, byte[] body) {
        return CompletableFuture.runAsync(() -> {
            try {
                List<IMqttToken> tokens = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    MqttMessage m = new MqttMessage(body, qos, false, null);
                    // paho refuses a publish while its window (the broker's Receive Maximum) is full: wait for a slot.
                    while (true) {
                        try {
                            tokens.add(client.publish(topic, m));
                            break;
                        } catch (MqttException e) {
                            if (e.getReasonCode() != PAHO_WINDOW_FULL) {
                                throw e;
                            }
                            tokens.removeIf(IMqttToken::isComplete);
                            Thread.sleep(1);
                        }
                    }
                }
                for (IMqttToken t : tokens) {
                    t.waitForCompletion(120_000);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** {@code count} STOMP SENDs of {@code body} to {@code destination}; the last asks for a receipt. */
    public static CompletableFuture<Void> stomp(StompTestClient stomp, String destination, int count, String body) {
        return CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < count - 1; i++) {
                    stomp.send("SEND", Map.of("destination", destination), body);
                }
                // The receipt of the last comes after every SEND before it was handled.
                StompTestClient.Frame receipt = stomp.request("SEND", Map.of("destination", destination, "receipt", "last"), body);
                if (!receipt.command().equals("RECEIPT")) {
                    throw new IllegalStateException("the last SEND was answered " + receipt.command());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** {@code count} Kafka records of {@code body} to partition 0 of {@code topic}. */
    public static CompletableFuture<Void> kafka(KafkaProducer<byte[], byte[]> producer, String topic, int count, byte[] body) {
        return CompletableFuture.runAsync(() -> {
            try {
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    sent.add(producer.send(new ProducerRecord<>(topic, 0, null, body)));
                }
                for (Future<RecordMetadata> f : sent) {
                    f.get(300, TimeUnit.SECONDS);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
