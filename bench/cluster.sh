#!/usr/bin/env bash
# Replicated streams: three Wharf nodes as one cluster next to three Apache Kafka brokers (KRaft),
# and next to a single Wharf, all driven by Kafka's own load tools in one run on the same machine.
# Three set-ups take turns, one at a time, each started fresh with empty data directories:
#   wharf3   three Wharf nodes (cluster.members on loopback), with their defaults: a topic's
#            partitions are kept on all three, and a batch is acknowledged once a majority has it
#            in its Raft log on disk (fsync'd) and the leader has given it its offset
#   kafka3   three Apache Kafka brokers, each broker and controller, topics with replication
#            factor 3 and min.insync.replicas=2 (acknowledged from the page cache of two brokers)
#   wharf1   one Wharf with its defaults, topics with replication factor 1
# For a topic with 1 partition and one with 3, created beforehand with TopicCommand:
#   produce  RECORDS records of RECORD-BYTES bytes with acks=all, unthrottled, one producer
#   consume  the same records back with one consumer in a consumer group
# Writes the figures, the ratios, the command and the date into docs/benchmarks.md.
#
# Needs network access to Maven Central (for Apache Kafka and its tools) and a JDK 21 or newer.
#
# Usage: bench/cluster.sh [records] [rounds] [record-bytes]
#        (default 500000 records, 2 rounds, 1000 bytes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
JDK="$(wharf_find_jdk 21)"
JAVA="$JDK/bin/java"
RECORDS="${1:-500000}"
ROUNDS="${2:-2}"
RECORD_BYTES="${3:-1000}"
KAFKA_VERSION=4.3.1
LOG4J_VERSION=2.24.3
PARTITION_COUNTS=(1 3)
COMMAND="bench/cluster.sh $*"
COMMAND="${COMMAND% }"

case "$RECORDS$ROUNDS$RECORD_BYTES" in
  *[!0-9]*) echo "usage: bench/cluster.sh [records] [rounds] [record-bytes]" >&2; exit 2 ;;
esac
if [ "$RECORDS" -lt 1 ] || [ "$ROUNDS" -lt 1 ] || [ "$RECORD_BYTES" -lt 1 ]; then
  echo "cluster.sh: records, rounds and record-bytes must be at least 1" >&2
  exit 2
fi
WARMUP_RECORDS=$(( RECORDS / 10 ))
if [ "$WARMUP_RECORDS" -gt 100000 ]; then WARMUP_RECORDS=100000; fi
if [ "$WARMUP_RECORDS" -lt 1000 ]; then WARMUP_RECORDS=1000; fi
# Every tool run is bounded in time: two minutes, plus the data at 1 MB/s.
TOOL_LIMIT=$(( 120 + RECORDS * RECORD_BYTES / 1000000 ))

# Three brokers share the machine: each gets a third of what one would (Kafka's start scripts give 1 GB).
KAFKA_JVM_OPTIONS="-Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
TOOL_JVM_OPTIONS="-Xmx512m"

BENCH_NAME=cluster.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/kafka-lib.sh
. "$ROOT/bench/kafka-lib.sh"

# Node i (1-3) listens for Kafka clients on KAFKA_PORTS[i-1]; Wharf nodes also on the others.
KAFKA_PORTS=(9092 9192 9292)
CONTROLLER_PORTS=(9201 9202 9203)
RAFT_PORTS=(7101 7102 7103)
AMQP_PORTS=(5672 5772 5872)
HTTP_PORTS=(15672 15772 15872)
ALL_PORTS=("${KAFKA_PORTS[@]}" "${CONTROLLER_PORTS[@]}" "${RAFT_PORTS[@]}" "${AMQP_PORTS[@]}" "${HTTP_PORTS[@]}")

# ---------------------------------------------------------------------------------------------
# State for the exit trap: only what this script started is ever stopped.
SCRATCH=""
PIDS=()

stop_all() {
  local pid
  for pid in "${PIDS[@]}"; do
    stop_pid broker "$pid"
  done
  PIDS=()
}

cleanup() {
  local rc=$?
  set +e
  stop_all
  [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in "${ALL_PORTS[@]}"; do
  if port_in_use "$port"; then
    die "port $port on this machine is in use by a process this script did not start; free it and run again"
  fi
done

log "building Wharf"
"$ROOT/wharf" --help > /dev/null

SCRATCH="$(mktemp -d /tmp/wharf-cluster-bench.XXXXXX)"
RESULTS="$ROOT/bench/results/cluster-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
TSV="$RESULTS/runs.tsv"
: > "$TSV"
fetch_kafka "$SCRATCH/kafka"

BOOTSTRAP=""
REPLICATION=1
TOPIC_CONFIG=()
BROKER_LOG=""

start_wharf3() {
  local members="" i
  for i in 1 2 3; do members="${members:+$members, }n$i@127.0.0.1:${RAFT_PORTS[$((i - 1))]}"; done
  for i in 1 2 3; do
    BROKER_LOG="$RESULTS/wharf3-n$i-$1.log"
    start_wharf_process "$SCRATCH/wharf-n$i" "$BROKER_LOG" WHARF_CLUSTER_NODE_ID="n$i" WHARF_CLUSTER_MEMBERS="[$members]" \
      WHARF_KAFKA_PORT="${KAFKA_PORTS[$((i - 1))]}" WHARF_AMQP_PORT="${AMQP_PORTS[$((i - 1))]}" \
      WHARF_HTTP_PORT="${HTTP_PORTS[$((i - 1))]}" WHARF_MQTT_ENABLED=false WHARF_STOMP_ENABLED=false \
      WHARF_MQTT_WEBSOCKET_ENABLED=false WHARF_STOMP_WEBSOCKET_ENABLED=false
    PIDS+=("$WHARF_PID")
  done
  BOOTSTRAP="127.0.0.1:${KAFKA_PORTS[0]},127.0.0.1:${KAFKA_PORTS[1]},127.0.0.1:${KAFKA_PORTS[2]}"
  REPLICATION=3
  TOPIC_CONFIG=()
  # Every node registered with the others: Kafka clients are then told of all three.
  for _ in $(seq 120); do
    [ "$(curl -fs -u guest:guest "http://127.0.0.1:${HTTP_PORTS[0]}/api/cluster" |
      python3 -c 'import json,sys; print(sum(1 for m in json.load(sys.stdin)["members"] if "listeners" in m))' 2>/dev/null)" = 3 ] &&
      return 0
    sleep 0.5
  done
  die "the three Wharf nodes did not all register within 60 s; see $RESULTS"
}

start_wharf1() {
  BROKER_LOG="$RESULTS/wharf1-$1.log"
  start_wharf_process "$SCRATCH/wharf-single" "$BROKER_LOG" WHARF_KAFKA_PORT="${KAFKA_PORTS[0]}" \
    WHARF_MQTT_ENABLED=false WHARF_STOMP_ENABLED=false WHARF_MQTT_WEBSOCKET_ENABLED=false WHARF_STOMP_WEBSOCKET_ENABLED=false
  PIDS+=("$WHARF_PID")
  BOOTSTRAP="127.0.0.1:${KAFKA_PORTS[0]}"
  REPLICATION=1
  TOPIC_CONFIG=()
}

start_kafka3() {
  local cluster_id voters="" i props data
  for i in 1 2 3; do voters="${voters:+$voters,}$i@127.0.0.1:${CONTROLLER_PORTS[$((i - 1))]}"; done
  cluster_id="$(kafka_class 120 kafka.tools.StorageTool random-uuid 2>> "$RESULTS/kafka3-$1.log" | tail -n 1)"
  [ -n "$cluster_id" ] || die "kafka.tools.StorageTool random-uuid printed nothing"
  for i in 1 2 3; do
    props="$SCRATCH/kafka-$i.properties"
    data="$SCRATCH/kafka-data-$i"
    rm -rf "$data"
    cat > "$props" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORTS[$((i - 1))]},CONTROLLER://127.0.0.1:${CONTROLLER_PORTS[$((i - 1))]}
advertised.listeners=PLAINTEXT://127.0.0.1:${KAFKA_PORTS[$((i - 1))]}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
group.initial.rebalance.delay.ms=0
PROPS
    cp "$props" "$RESULTS/kafka-$i.properties"
    kafka_class 120 kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >> "$RESULTS/kafka3-$1.log" 2>&1 ||
      die "formatting Kafka's storage failed; see $RESULTS/kafka3-$1.log"
  done
  for i in 1 2 3; do
    BROKER_LOG="$RESULTS/kafka3-n$i-$1.log"
    # shellcheck disable=SC2086
    (cd "$KAFKA_HOME" && exec "$JAVA" $KAFKA_JVM_OPTIONS -Dlog4j2.configurationFile="$KAFKA_HOME/broker-log4j2.properties" \
        -cp 'libs/*' kafka.Kafka "$SCRATCH/kafka-$i.properties") >> "$BROKER_LOG" 2>&1 &
    PIDS+=("$!")
  done
  for i in 1 2 3; do
    BROKER_LOG="$RESULTS/kafka3-n$i-$1.log"
    for _ in $(seq 180); do
      grep -q 'Kafka Server started' "$BROKER_LOG" && break
      sleep 0.5
    done
    grep -q 'Kafka Server started' "$BROKER_LOG" || die "Kafka broker $i did not start within 90 s; see $BROKER_LOG"
  done
  BOOTSTRAP="127.0.0.1:${KAFKA_PORTS[0]},127.0.0.1:${KAFKA_PORTS[1]},127.0.0.1:${KAFKA_PORTS[2]}"
  REPLICATION=3
  TOPIC_CONFIG=(--config min.insync.replicas=2)
}

start_setup() {
  case "$1" in
    wharf3) start_wharf3 "$2" ;;
    kafka3) start_kafka3 "$2" ;;
    wharf1) start_wharf1 "$2" ;;
  esac
}

stop_setup() {
  local port
  stop_all
  rm -rf "$SCRATCH"/wharf-n* "$SCRATCH/wharf-single" "$SCRATCH"/kafka-data-*
  for port in "${ALL_PORTS[@]}"; do
    for _ in $(seq 60); do port_in_use "$port" || break; sleep 0.5; done
    port_in_use "$port" && die "port $port still in use after stopping $1"
  done
  return 0
}

create_topic() {
  # create_topic TOPIC PARTITIONS OUTFILE
  kafka_class 120 org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create \
    --topic "$1" --partitions "$2" --replication-factor "$REPLICATION" "${TOPIC_CONFIG[@]}" > "$3" 2>&1
}

produce() {
  kafka_class "$TOOL_LIMIT" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic "$1" --num-records "$2" --record-size "$RECORD_BYTES" --throughput -1 \
    --command-property acks=all > "$3" 2>&1
}

consume() {
  kafka_class "$TOOL_LIMIT" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic "$1" --group "$2" --num-records "$RECORDS" --timeout 30000 > "$3" 2>&1
}

# Appends "setup round partitions phase f1..f5 status note" to runs.tsv.
record() {
  local setup="$1" round="$2" partitions="$3" phase="$4" out="$5" rc="$6" figures="$7" status=ok note=""
  if [ -z "$figures" ]; then
    status=failed; note="no figures"; figures="$(printf '\t\t\t\t')"
  fi
  [ "$rc" -eq 0 ] || { status=failed; note="${note:+$note; }exit $rc"; }
  if grep -qE 'Exception|ERROR' "$out"; then
    status=failed; note="${note:+$note; }$(grep -m1 -E 'Exception|ERROR' "$out" | cut -c1-160 | tr '\t|' '  ')"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$setup" "$round" "$partitions" "$phase" "$figures" "$status" "$note" >> "$TSV"
  log "$setup round $round, $partitions partition(s), $phase: $status $(echo "$figures" | cut -f1-2 | tr '\t' ' ') $note"
}

run_topic() {
  local setup="$1" round="$2" partitions="$3" rc topic="perf-p$3" prefix="$RESULTS/$1-$2-p$3"
  if ! create_topic "$topic" "$partitions" "$prefix-create.txt" || grep -qE 'Exception|ERROR' "$prefix-create.txt"; then
    record "$setup" "$round" "$partitions" produce "$prefix-create.txt" 1 ""
    return 0
  fi
  rc=0; produce "$topic" "$RECORDS" "$prefix-produce.txt" || rc=$?
  record "$setup" "$round" "$partitions" produce "$prefix-produce.txt" "$rc" "$(producer_figures "$prefix-produce.txt")"
  rc=0; consume "$topic" "perf-$setup-$round-p$partitions" "$prefix-consume.txt" || rc=$?
  record "$setup" "$round" "$partitions" consume "$prefix-consume.txt" "$rc" "$(consumer_figures "$prefix-consume.txt")"
}

SETUPS=(wharf3 kafka3 wharf1)
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  shift_by=$(( (round - 1) % ${#SETUPS[@]} ))
  order=("${SETUPS[@]:$shift_by}" "${SETUPS[@]:0:$shift_by}")
  for setup in "${order[@]}"; do
    log "round $round: starting $setup"
    start_setup "$setup" "$round"
    if create_topic perf-warmup 1 "$RESULTS/$setup-$round-warmup-create.txt"; then
      produce perf-warmup "$WARMUP_RECORDS" "$RESULTS/$setup-$round-warmup.txt" || log "$setup warm-up run failed"
    fi
    for partitions in "${PARTITION_COUNTS[@]}"; do
      run_topic "$setup" "$round" "$partitions"
    done
    stop_setup "$setup"
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
# Report.
describe_machine /tmp
JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n 1 | cut -d'"' -f2)"
WHARF_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)"
TABLES="$(python3 - "$TSV" "$RECORDS" "$RECORD_BYTES" <<'PY'
import sys, statistics
runs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
records, size = int(sys.argv[2]), int(sys.argv[3])
names = {"wharf3": "Wharf, 3 nodes", "kafka3": "Kafka, 3 brokers", "wharf1": "Wharf, 1 node"}
def num(s):
    try: return float(s)
    except ValueError: return None
def mean(setup, p, phase, i):
    vals = [num(r[4 + i]) for r in runs if r[0] == setup and r[2] == p and r[3] == phase and r[9] == "ok" and num(r[4 + i]) is not None]
    return statistics.mean(vals) if vals else None
def n(v): return f"{int(round(v)):,}" if v is not None else "–"
def r(a, b): return f"{a / b:.2f}" if a is not None and b else "–"
out = ["| topic | produce records/s Wharf 3 nodes | Kafka 3 brokers | Wharf/Kafka (target ≥ 1) | Wharf 1 node "
       "| 3 nodes/1 node (target ≥ 0.5) | consume MB/s Wharf 3 nodes | Kafka 3 brokers | Wharf/Kafka | Wharf 1 node |",
       "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for p in sorted({x[2] for x in runs}, key=int):
    w3, k3, w1 = (mean(s, p, "produce", 0) for s in ("wharf3", "kafka3", "wharf1"))
    cw3, ck3, cw1 = (mean(s, p, "consume", 0) for s in ("wharf3", "kafka3", "wharf1"))
    out.append(f"| {p} partition{'' if p == '1' else 's'} | {n(w3)} | {n(k3)} | {r(w3, k3)} | {n(w1)} | {r(w3, w1)} "
               f"| {n(cw3)} | {n(ck3)} | {r(cw3, ck3)} | {n(cw1)} |")
print("\n".join(out))
print(f"\nEvery run ({records:,} records of {size:,} bytes, acks=all; produce: records/s, p99 ms; consume: MB/s, records/s):\n")
out = ["| setup | round | partitions | phase | figure | | status |", "|---|---:|---:|---|---:|---:|---|"]
for x in runs:
    a, b = (x[4], x[7]) if x[3] == "produce" else (x[4], x[5])
    out.append(f"| {names.get(x[0], x[0])} | {x[1]} | {x[2]} | {x[3]} | {a} | {b} | {x[9]}{': ' + x[10] if x[10] else ''} |")
print("\n".join(out))
PY
)"

SECTION="$(cat <<MD
## Replicated streams: three Wharf nodes, three Kafka brokers, one Wharf

Measured $(date -u +%Y-%m-%d) ($(date -u +%H:%M) UTC) with \`$COMMAND\` on $CPU, $MEM, $FS file system; all brokers and the load tool share the cores. Wharf${WHARF_COMMIT:+ (commit $WHARF_COMMIT)} with its defaults, three nodes on loopback (\`cluster.members\` of three, replication factor 3: a batch is acknowledged once two of the three have it in their Raft log on disk, fsync'd, and the leader has given it its offset in its own log), and a single node. Apache Kafka $KAFKA_VERSION, three KRaft brokers each also a controller, topics with replication factor 3 and \`min.insync.replicas=2\`, internal topics replication factor 3, heap 512 MB each; **Kafka acknowledges from the page cache** of two brokers, Wharf from the disk. Java $JAVA_VERSION. Load from kafka-tools $KAFKA_VERSION, bootstrapped to all three nodes: \`ProducerPerformance --num-records $RECORDS --record-size $RECORD_BYTES --throughput -1 --command-property acks=all\`, then \`ConsumerPerformance --num-records $RECORDS --timeout 30000\` in a new group. Set-ups start fresh for each of $ROUNDS round(s), taking turns; $WARMUP_RECORDS records to a warm-up topic after each start are not counted. Load average before: $LOAD_BEFORE; after: $LOAD_AFTER.

$TABLES
MD
)"
write_doc_section cluster "$SECTION"
echo "$SECTION"
log "tool outputs and broker logs are in $RESULTS"
