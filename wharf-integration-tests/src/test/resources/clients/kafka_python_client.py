"""kafka-python (Debian's python3-kafka) against a broker: admin, a gzip producer with keys and
headers, a consumer group that commits, and topic deletion. Prints one summary line; exits 1 on
the first thing that is not as expected."""
import sys

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

bootstrap = sys.argv[1]
topic, group, count = "py-orders", "py-readers", 30


def check(ok, what):
    if not ok:
        print("kafka-python: " + what, flush=True)
        sys.exit(1)


admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="kafka-python-test")
admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
check(topic in admin.list_topics(), "the new topic is not listed")

producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", compression_type="gzip")
for i in range(count):
    producer.send(topic, key=b"k%d" % i, value=b"v%d" % i, headers=[("n", b"%d" % i)])
producer.flush()
producer.close()


def read_group(timeout_ms):
    consumer = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=timeout_ms)
    records = list(consumer)
    consumer.commit()
    consumer.close()
    return records


records = read_group(10000)
check(sorted(r.value for r in records) == sorted(b"v%d" % i for i in range(count)), "consumed %d records" % len(records))
check(all(r.headers == [("n", r.value[1:])] and r.key == b"k" + r.value[1:] for r in records), "keys or headers changed")
offsets = admin.list_consumer_group_offsets(group)
committed = sum(o.offset for tp, o in offsets.items() if tp.topic == topic)
check(committed == count, "committed offsets add up to %d" % committed)
again = read_group(3000)
check(not again, "read %d records again after the commit" % len(again))

admin.delete_topics([topic])
check(topic not in admin.list_topics(), "the deleted topic is still listed")
admin.close()
print("kafka-python %s: created, produced %d, consumed %d with keys and headers, committed %d, nothing again, deleted"
      % (kafka.__version__, count, len(records), committed), flush=True)
