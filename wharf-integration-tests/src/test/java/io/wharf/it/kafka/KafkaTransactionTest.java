package io.wharf.it.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.wharf.test.WharfExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Transactions with kafka-clients: commits and aborts seen by read_committed and
 * read_uncommitted consumers, zombie fencing, an exactly-once consume-transform-produce
 * pipeline, and transactions surviving a restart.
 */
class KafkaTransactionTest {

    // One broker for the class: each test uses topics and transactional ids of its own.
    @RegisterExtension
    static final WharfExtension wharf = new WharfExtension();

    private KafkaProducer<String, String> transactional(String id) {
        return KafkaClients.producer(wharf.kafkaPort(), Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id,
                ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 60_000));
    }

    private KafkaConsumer<String, String> consumer(String group, String isolation) {
        Map<String, Object> p = new HashMap<>();
        if (group != null) {
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        }
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "7");
        return KafkaClients.consumer(wharf.kafkaPort(), p);
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:" + wharf.kafkaPort()));
    }

    private void createTopic(String name, int partitions) throws Exception {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** Reads every partition of the topic from the start until the end offsets its isolation allows. */
    private List<String> readAll(String topic, String isolation) {
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> c = consumer(null, isolation)) {
            List<TopicPartition> parts = c.partitionsFor(topic).stream()
                    .map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> values.add(r.value()));
                return parts.stream().allMatch(p -> c.position(p) >= end.get(p));
            });
        }
        return values;
    }

    @Test
    void readCommittedSeesCommittedTransactionsOnlyAndReadUncommittedSeesAll() throws Exception {
        createTopic("tx-basic", 3);
        try (KafkaProducer<String, String> p = transactional("tx-basic-producer")) {
            p.initTransactions();
            p.beginTransaction();
            for (int i = 0; i < 30; i++) {
                p.send(new ProducerRecord<>("tx-basic", "k" + i, "committed-" + i));
            }
            p.commitTransaction();
            p.beginTransaction();
            for (int i = 0; i < 30; i++) {
                p.send(new ProducerRecord<>("tx-basic", "k" + i, "aborted-" + i));
            }
            p.flush();
            p.abortTransaction();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx-basic", "k0", "last"));
            p.commitTransaction();
        }

        List<String> committed = readAll("tx-basic", "read_committed");
        assertThat(committed).hasSize(31).noneMatch(v -> v.startsWith("aborted-")).contains("last", "committed-29");
        List<String> uncommitted = readAll("tx-basic", "read_uncommitted");
        assertThat(uncommitted).hasSize(61).filteredOn(v -> v.startsWith("aborted-")).hasSize(30);
    }

    @Test
    void anOpenTransactionHoldsBackReadCommittedConsumersUntilItCommits() throws Exception {
        createTopic("tx-open", 1);
        TopicPartition tp = new TopicPartition("tx-open", 0);
        try (KafkaProducer<String, String> plain = KafkaClients.producer(wharf.kafkaPort(), Map.of());
             KafkaProducer<String, String> p = transactional("tx-open-producer");
             KafkaConsumer<String, String> c = consumer(null, "read_committed");
             KafkaConsumer<String, String> dirty = consumer(null, "read_uncommitted")) {
            plain.send(new ProducerRecord<>("tx-open", "a", "before")).get();
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx-open", "b", "inside")).get();
            plain.send(new ProducerRecord<>("tx-open", "c", "after")).get();

            assertThat(c.endOffsets(List.of(tp))).containsEntry(tp, 1L);
            assertThat(dirty.endOffsets(List.of(tp))).containsEntry(tp, 3L);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            List<String> seen = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
                return seen.contains("before");
            });
            // The open transaction stops the reader at its first record, even with a later plain record
            // written: the last stable offset it may read up to stays at the transaction's first record.
            assertThat(seen).containsExactly("before");
            assertThat(c.position(tp)).isEqualTo(1L);
            assertThat(c.endOffsets(List.of(tp))).containsEntry(tp, 1L);

            p.commitTransaction();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                c.poll(Duration.ofMillis(100)).forEach(r -> seen.add(r.value()));
                return seen.size() == 3;
            });
            assertThat(seen).containsExactly("before", "inside", "after");
        }
    }

    @Test
    void aNewInstanceWithTheSameTransactionalIdFencesTheOldOneAndAbortsItsTransaction() throws Exception {
        createTopic("tx-fence", 1);
        try (KafkaProducer<String, String> zombie = transactional("tx-fence-producer")) {
            zombie.initTransactions();
            zombie.beginTransaction();
            zombie.send(new ProducerRecord<>("tx-fence", "k", "from-zombie")).get();

            try (KafkaProducer<String, String> fresh = transactional("tx-fence-producer")) {
                fresh.initTransactions();
                fresh.beginTransaction();
                fresh.send(new ProducerRecord<>("tx-fence", "k", "from-fresh")).get();
                fresh.commitTransaction();
            }
            // Its transaction was aborted under the new epoch: committing it now is refused as fenced.
            assertThatThrownBy(zombie::commitTransaction).isInstanceOf(ProducerFencedException.class);
        }
        assertThat(readAll("tx-fence", "read_committed")).containsExactly("from-fresh");
    }

    @Test
    void aTransactionOpenPastItsTimeoutIsAbortedAndItsProducerFenced() throws Exception {
        createTopic("tx-timeout", 1);
        TopicPartition tp = new TopicPartition("tx-timeout", 0);
        try (KafkaProducer<String, String> slow = KafkaClients.producer(wharf.kafkaPort(), Map.of(
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "tx-timeout-producer", ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_500));
             KafkaConsumer<String, String> c = consumer(null, "read_committed")) {
            slow.initTransactions();
            slow.beginTransaction();
            slow.send(new ProducerRecord<>("tx-timeout", "k", "never-committed")).get();
            assertThat(c.endOffsets(List.of(tp))).containsEntry(tp, 0L);

            // The abort marker lands after the record: the stable end moves past both.
            await().atMost(Duration.ofSeconds(30)).until(() -> c.endOffsets(List.of(tp)).get(tp) == 2L);
            assertThatThrownBy(slow::commitTransaction).isInstanceOf(ProducerFencedException.class);
        }
        assertThat(readAll("tx-timeout", "read_committed")).isEmpty();
    }

    @Test
    void exactlyOncePipelineWithAnAbortedTransactionCommitsEveryInputOnce() throws Exception {
        createTopic("eos-in", 2);
        createTopic("eos-out", 2);
        try (KafkaProducer<String, String> p = KafkaClients.producer(wharf.kafkaPort(), Map.of())) {
            for (int i = 0; i < 200; i++) {
                p.send(new ProducerRecord<>("eos-in", "k" + (i % 13), Integer.toString(i)));
            }
            p.flush();
        }

        String group = "eos-app";
        boolean abortedOnce = false;
        int transactions = 0;
        try (KafkaConsumer<String, String> in = consumer(group, "read_committed");
             KafkaProducer<String, String> out = transactional("eos-app-0")) {
            out.initTransactions();
            in.subscribe(List.of("eos-in"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (committedInput(group) < 200 && System.nanoTime() < deadline) {
                ConsumerRecords<String, String> batch = in.poll(Duration.ofMillis(200));
                if (batch.isEmpty()) {
                    continue;
                }
                out.beginTransaction();
                Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
                for (ConsumerRecord<String, String> r : batch) {
                    out.send(new ProducerRecord<>("eos-out", r.key(), "x" + r.value()));
                    offsets.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                }
                out.sendOffsetsToTransaction(offsets, in.groupMetadata());
                transactions++;
                if (!abortedOnce && transactions == 3) {
                    // A failure mid-way: the output and the offsets go, and the input is read again.
                    out.flush();
                    out.abortTransaction();
                    abortedOnce = true;
                    rewindToCommitted(in);
                    continue;
                }
                out.commitTransaction();
            }
        }
        assertThat(abortedOnce).isTrue();
        assertThat(committedInput(group)).isEqualTo(200);

        List<String> output = readAll("eos-out", "read_committed");
        assertThat(output).hasSize(200).doesNotHaveDuplicates();
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add("x" + i);
        }
        assertThat(output).containsExactlyInAnyOrderElementsOf(expected);
        // The aborted transaction's output is in the log, just never committed.
        assertThat(readAll("eos-out", "read_uncommitted").size()).isGreaterThan(200);
    }

    private static void rewindToCommitted(KafkaConsumer<String, String> in) {
        Map<TopicPartition, OffsetAndMetadata> committed = in.committed(in.assignment());
        for (TopicPartition tp : in.assignment()) {
            OffsetAndMetadata o = committed.get(tp);
            if (o == null) {
                in.seekToBeginning(List.of(tp));
            } else {
                in.seek(tp, o.offset());
            }
        }
    }

    private long committedInput(String group) throws Exception {
        try (Admin admin = admin()) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                    .values().stream().mapToLong(OffsetAndMetadata::offset).sum();
        }
    }

    @Test
    void transactionsAreListedAndDescribedForAdminTools() throws Exception {
        createTopic("tx-admin", 2);
        try (KafkaProducer<String, String> p = transactional("tx-admin-producer"); Admin admin = admin()) {
            p.initTransactions();
            p.beginTransaction();
            p.send(new ProducerRecord<>("tx-admin", 0, "k", "v")).get();
            assertThat(admin.listTransactions().all().get(30, TimeUnit.SECONDS))
                    .extracting(TransactionListing::transactionalId).contains("tx-admin-producer");
            var described = admin.describeTransactions(List.of("tx-admin-producer")).all().get(30, TimeUnit.SECONDS)
                    .get("tx-admin-producer");
            assertThat(described.state().toString()).isEqualTo("Ongoing");
            assertThat(described.topicPartitions()).containsExactly(new TopicPartition("tx-admin", 0));
            p.commitTransaction();
            var after = admin.describeTransactions(List.of("tx-admin-producer")).all().get(30, TimeUnit.SECONDS)
                    .get("tx-admin-producer");
            assertThat(after.state().toString()).isEqualTo("CompleteCommit");
        }
    }

    @Test
    void transactionsSurviveARestartAndOneLeftOpenIsAbortedWhenItsProducerComesBack() throws Exception {
        createTopic("tx-restart", 1);
        KafkaProducer<String, String> before = transactional("tx-restart-producer");
        before.initTransactions();
        before.beginTransaction();
        before.send(new ProducerRecord<>("tx-restart", "k", "committed")).get();
        before.commitTransaction();
        before.beginTransaction();
        before.send(new ProducerRecord<>("tx-restart", "k", "aborted")).get();
        before.abortTransaction();
        before.beginTransaction();
        before.send(new ProducerRecord<>("tx-restart", "k", "left-open")).get();
        before.close(Duration.ZERO);

        wharf.restart();

        TopicPartition tp = new TopicPartition("tx-restart", 0);
        try (KafkaConsumer<String, String> c = consumer(null, "read_committed")) {
            // The open transaction, recovered from the log, still holds readers back.
            assertThat(c.endOffsets(List.of(tp))).containsEntry(tp, 4L);
        }
        try (KafkaProducer<String, String> after = transactional("tx-restart-producer")) {
            after.initTransactions();
            after.beginTransaction();
            after.send(new ProducerRecord<>("tx-restart", "k", "after-restart")).get();
            after.commitTransaction();
        }
        assertThat(readAll("tx-restart", "read_committed")).containsExactly("committed", "after-restart");
        assertThat(readAll("tx-restart", "read_uncommitted")).containsExactly("committed", "aborted", "left-open", "after-restart");
        try (Admin admin = admin()) {
            assertThat(admin.listTransactions().all().get(30, TimeUnit.SECONDS))
                    .extracting(TransactionListing::transactionalId).containsOnlyOnce("tx-restart-producer");
        }
    }
}
