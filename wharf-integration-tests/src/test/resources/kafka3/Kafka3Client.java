import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Runs against a broker with whichever kafka-clients is on its class path (a 3.x release, from
 * Kafka3ClientTest): admin, an idempotent producer and a consumer group. Prints one summary line
 * and exits 0, or exits 1 naming what went wrong.
 */
public class Kafka3Client {

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        int count = 100;
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic("legacy", 3, (short) 1))).all().get();
        }
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>("legacy", null, "k" + i, "v" + i,
                        List.of(new RecordHeader("n", Integer.toString(i).getBytes(StandardCharsets.UTF_8))))).get();
            }
        }
        Properties c = new Properties();
        c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        c.put(ConsumerConfig.GROUP_ID_CONFIG, "legacy-readers");
        c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
            consumer.subscribe(List.of("legacy"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (seen.size() < count && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    String n = new String(r.headers().lastHeader("n").value(), StandardCharsets.UTF_8);
                    if (!r.value().equals("v" + n) || !r.key().equals("k" + n)) {
                        fail("record " + r + " does not carry what was sent");
                    }
                    seen.add(r.value());
                }
            }
            consumer.commitSync();
        }
        if (seen.size() != count) {
            fail("consumed " + seen.size() + " of " + count);
        }
        try (KafkaConsumer<String, String> again = new KafkaConsumer<>(c)) {
            again.subscribe(List.of("legacy"));
            int more = 0;
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                more += again.poll(Duration.ofMillis(200)).count();
            }
            if (more != 0) {
                fail(more + " records came again after the group committed");
            }
        }
        System.out.println("kafka-clients " + org.apache.kafka.common.utils.AppInfoParser.getVersion()
                + ": produced " + count + ", consumed " + seen.size() + ", nothing again after the commit");
    }

    private static void fail(String why) {
        System.out.println("FAILED: " + why);
        System.exit(1);
    }
}
