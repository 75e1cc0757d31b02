package io.wharf.it.console;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/** The protocol clients a console test opens against its broker, all closed together in reverse order. */
final class Clients implements AutoCloseable {

    private final WharfExtension wharf;
    private final List<AutoCloseable> opened = new ArrayList<>();

    Clients(WharfExtension wharf) {
        this.wharf = wharf;
    }

    /** An AMQP connection with the client-provided name {@code name}. */
    Connection amqp(String name) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(wharf.amqpPort());
        factory.setAutomaticRecoveryEnabled(false);
        Connection connection = factory.newConnection(name);
        opened.add(() -> {
            if (connection.isOpen()) {
                connection.close();
            }
        });
        return connection;
    }

    Admin kafkaAdmin() {
        return keep(Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap())));
    }

    KafkaProducer<String, String> kafkaProducer() {
        return keep(new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName())));
    }

    /** A consumer in {@code group} that commits only when told to. */
    KafkaConsumer<String, String> kafkaConsumer(String group) {
        return keep(new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrap(),
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName())));
    }

    MqttClient mqtt(String clientId) throws MqttException {
        MqttClient client = new MqttClient("tcp://127.0.0.1:" + wharf.mqttPort(), clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setCleanSession(true);
        client.connect(options);
        opened.add(() -> {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        });
        return client;
    }

    private String kafkaBootstrap() {
        return "127.0.0.1:" + wharf.kafkaPort();
    }

    private <T extends AutoCloseable> T keep(T client) {
        opened.add(client);
        return client;
    }

    /** Closes every client, newest first; a failure does not stop the others from closing. */
    @Override
    public void close() throws Exception {
        Exception failure = null;
        for (AutoCloseable client : opened.reversed()) {
            try {
                client.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        opened.clear();
        if (failure != null) {
            throw failure;
        }
    }
}
