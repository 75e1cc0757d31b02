#!/usr/bin/env bash
# Kafka protocol benchmark: Wharf's Kafka endpoint next to Apache Kafka (KRaft, one node), both
# driven by Kafka's own load tools (ProducerPerformance and ConsumerPerformance from kafka-tools),
# in one run on the same machine. Three brokers take turns, one at a time on 127.0.0.1:9092: Wharf
# with its defaults, Apache Kafka, and Wharf with storage.fsync never (Kafka's durability: the
# acknowledgement does not wait for the disk). Each is started fresh, with an empty data directory,
# for every round, warmed up with a short produce run that is not counted, then for a topic with 1 partition
# and for a topic with 8 partitions (each created beforehand with TopicCommand):
#   produce  RECORDS records of RECORD-BYTES bytes with acks=all, unthrottled, one producer
#   consume  the same records back with one consumer in a consumer group
# Writes the figures, the ratios, the command and the date into docs/benchmarks.md.
# With an earlier commit, that commit is built in a temporary worktree and takes its turns too,
# with its defaults, so that a change's effect shows against the same Kafka runs.
#
# Needs network access to Maven Central (for Apache Kafka and its tools) and a JDK 21 or newer.
#
# Usage: bench/kafka.sh [records] [rounds] [record-bytes] [earlier-commit]
#        (default 2000000 records, 2 rounds, 1000 bytes)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
JDK="$(wharf_find_jdk 21)"
JAVA="$JDK/bin/java"
RECORDS="${1:-2000000}"
ROUNDS="${2:-2}"
RECORD_BYTES="${3:-1000}"
EARLIER="${4:-}"
KAFKA_VERSION=4.3.1
LOG4J_VERSION=2.24.3
PARTITION_COUNTS=(1 8)
BOOTSTRAP=127.0.0.1:9092
COMMAND="bench/kafka.sh $*"
COMMAND="${COMMAND% }"

case "$RECORDS$ROUNDS$RECORD_BYTES" in
  *[!0-9]*) echo "usage: bench/kafka.sh [records] [rounds] [record-bytes] [earlier-commit]" >&2; exit 2 ;;
esac
if [ "$RECORDS" -lt 1 ] || [ "$ROUNDS" -lt 1 ] || [ "$RECORD_BYTES" -lt 1 ]; then
  echo "kafka.sh: records, rounds and record-bytes must be at least 1" >&2
  exit 2
fi
# The warm-up: a tenth of the records, at most 200,000, at least 1,000; not counted.
WARMUP_RECORDS=$(( RECORDS / 10 ))
if [ "$WARMUP_RECORDS" -gt 200000 ]; then WARMUP_RECORDS=200000; fi
if [ "$WARMUP_RECORDS" -lt 1000 ]; then WARMUP_RECORDS=1000; fi
# Every tool run is bounded in time: two minutes, plus the data at 4 MB/s.
TOOL_LIMIT=$(( 120 + RECORDS * RECORD_BYTES / 4000000 ))

# Apache Kafka's JVM options as its own start scripts give them (kafka-server-start.sh sets the
# heap, kafka-run-class.sh the rest), and the heap its perf-test scripts give the load tools.
KAFKA_JVM_OPTIONS="-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"
TOOL_JVM_OPTIONS="-Xmx512m"

BENCH_NAME=kafka.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
# shellcheck source=bench/kafka-lib.sh
. "$ROOT/bench/kafka-lib.sh"


# ---------------------------------------------------------------------------------------------
# State for the exit trap: only what this script started is ever stopped.
SCRATCH=""
WHARF_PID=""
KAFKA_PID=""
EARLIER_DIR=""
EARLIER_SHORT=""


stop_wharf() {
  [ -n "$WHARF_PID" ] || return 0
  stop_pid Wharf "$WHARF_PID"
  WHARF_PID=""
}

stop_kafka() {
  [ -n "$KAFKA_PID" ] || return 0
  stop_pid Kafka "$KAFKA_PID"
  KAFKA_PID=""
}

cleanup() {
  local rc=$?
  set +e
  stop_wharf
  stop_kafka
  [ -n "$EARLIER_DIR" ] && remove_earlier "$EARLIER_DIR"
  [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Preconditions: nothing of anyone else's on the ports this benchmark uses.
for port in 9092 9093 5672 15672; do
  if port_in_use "$port"; then
    die "port $port on this machine is in use by a process this script did not start; free it and run again"
  fi
done

# ---------------------------------------------------------------------------------------------
# Wharf, Apache Kafka and its tools.
# Wharf starts through its own launcher, with the JVM options a user gets; building it here keeps
# the build out of the first start's time limit.
log "building Wharf"
"$ROOT/wharf" --help > /dev/null

SCRATCH="$(mktemp -d /tmp/wharf-kafka-bench.XXXXXX)"
RESULTS="$ROOT/bench/results/kafka-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
TSV="$RESULTS/runs.tsv"
: > "$TSV"

if [ -n "$EARLIER" ]; then
  EARLIER_DIR="$SCRATCH/earlier"
  build_earlier "$EARLIER" "$EARLIER_DIR"
fi

fetch_kafka "$SCRATCH/kafka"

# ---------------------------------------------------------------------------------------------
# Brokers. Each start gets a fresh data directory, deleted again when the broker stops.
BROKER_PID=""
BROKER_LOG=""

wait_for_kafka_port() {
  # wait_for_kafka_port NAME PID: until something listens on 9092, at most 60 s.
  for _ in $(seq 120); do
    port_in_use 9092 && return 0
    kill -0 "$2" 2>/dev/null || { tail -n 30 "$BROKER_LOG" >&2; die "$1 exited during start-up; its log is in $BROKER_LOG"; }
    sleep 0.5
  done
  die "$1 did not listen on 127.0.0.1:9092 within 60 s; its log is in $BROKER_LOG"
}

start_wharf() {
  # start_wharf RUN-NAME [VAR=VALUE...]
  BROKER_LOG="$RESULTS/wharf-$1.log"
  start_wharf_process "$SCRATCH/wharf-data" "$BROKER_LOG" WHARF_KAFKA_PORT=9092 "${@:2}"
  wait_for_kafka_port Wharf "$WHARF_PID"
  BROKER_PID="$WHARF_PID"
}

start_kafka() {
  local data="$SCRATCH/kafka-data" props="$KAFKA_HOME/server.properties" cluster_id
  rm -rf "$data"
  BROKER_LOG="$RESULTS/kafka-$1.log"
  cat > "$props" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:9093
listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093
advertised.listeners=PLAINTEXT://127.0.0.1:9092
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$data
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
PROPS
  cp "$props" "$RESULTS/kafka-server.properties"
  cluster_id="$(kafka_class 120 kafka.tools.StorageTool random-uuid 2>> "$BROKER_LOG" | tail -n 1)"
  [ -n "$cluster_id" ] || die "kafka.tools.StorageTool random-uuid printed nothing; see $BROKER_LOG"
  kafka_class 120 kafka.tools.StorageTool format -t "$cluster_id" -c "$props" >> "$BROKER_LOG" 2>&1 ||
    die "formatting Kafka's storage failed; see $BROKER_LOG"
  # shellcheck disable=SC2086
  (cd "$KAFKA_HOME" && exec "$JAVA" $KAFKA_JVM_OPTIONS \
      -Dlog4j2.configurationFile="$KAFKA_HOME/broker-log4j2.properties" -cp 'libs/*' kafka.Kafka "$props") \
    >> "$BROKER_LOG" 2>&1 &
  KAFKA_PID=$!
  wait_for_kafka_port Kafka "$KAFKA_PID"
  for _ in $(seq 120); do
    grep -q 'Kafka Server started' "$BROKER_LOG" && break
    kill -0 "$KAFKA_PID" 2>/dev/null || { tail -n 30 "$BROKER_LOG" >&2; die "Kafka exited during start-up"; }
    sleep 0.5
  done
  grep -q 'Kafka Server started' "$BROKER_LOG" || die "Kafka did not report 'Kafka Server started' within 60 s; see $BROKER_LOG"
  BROKER_PID="$KAFKA_PID"
}

start_broker() {
  local port
  for port in 9092 9093 5672 15672; do
    port_in_use "$port" && die "port $port was taken by a process this script did not start; free it and run again"
  done
  case "$1" in
    wharf) start_wharf "$2" ;;
    wharf-nofsync) start_wharf "nofsync-$2" WHARF_STORAGE_FSYNC=never ;;
    wharf-earlier) LAUNCHER="$EARLIER_DIR/wharf"; start_wharf "earlier-$2"; LAUNCHER="" ;;
    kafka) start_kafka "$2" ;;
  esac
}

stop_broker() {
  case "$1" in
    wharf|wharf-nofsync|wharf-earlier) stop_wharf; rm -rf "$SCRATCH/wharf-data" ;;
    kafka) stop_kafka; rm -rf "$SCRATCH/kafka-data" ;;
  esac
  for _ in $(seq 60); do port_in_use 9092 || break; sleep 0.5; done
  port_in_use 9092 && die "port 9092 still in use after stopping $1"
  BROKER_PID=""
  return 0
}



# Appends one line to runs.tsv:
# broker round partitions phase a b c d status note broker_cpu% other_cpu%
# where a b c d are, for produce: records/s, MB/s, avg latency ms, p99 latency ms, records sent;
# for consume: MB/s, records/s, records consumed, rebalance ms, fetch MB/s.
record_run() {
  local broker="$1" round="$2" partitions="$3" phase="$4" out="$5" rc="$6" figures="$7" note="$8"
  local status=ok
  [ -n "$note" ] && status=failed
  if [ "$rc" -eq 124 ]; then
    status=failed
    note="${note:+$note; }stopped at its time limit of $TOOL_LIMIT s"
  elif [ "$rc" -ne 0 ]; then
    status=failed
    note="${note:+$note; }exit $rc"
  fi
  if grep -qE 'Exception|ERROR|WARNING: Exiting' "$out"; then
    status=failed
    note="${note:+$note; }$(grep -m1 -E 'Exception|ERROR|WARNING: Exiting' "$out" | cut -c1-200 | tr '\t|' '  ')"
  fi
  if [ -n "$BROKER_PID" ] && ! kill -0 "$BROKER_PID" 2>/dev/null; then
    status=failed
    note="${note:+$note; }broker process exited"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$broker" "$round" "$partitions" "$phase" "$figures" "$status" \
    "$note" "${CPU_SHARE:-$(printf '\t')}" >> "$TSV"
  if [ "$status" = failed ]; then
    log "$broker round $round $partitions-partition $phase FAILED: $note"
    { echo "=== tool output ($out) ==="; tail -n 60 "$out"; echo "=== broker log ($BROKER_LOG) ==="; tail -n 80 "$BROKER_LOG"; } \
      > "$RESULTS/failure-$broker-$round-p$partitions-$phase.txt" 2>/dev/null || true
    return 1
  fi
  return 0
}

create_topic() {
  # create_topic TOPIC PARTITIONS OUTFILE
  kafka_class 120 org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --create \
    --topic "$1" --partitions "$2" --replication-factor 1 > "$3" 2>&1
}

produce() {
  # produce TOPIC RECORDS OUTFILE
  kafka_class "$TOOL_LIMIT" org.apache.kafka.tools.ProducerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic "$1" --num-records "$2" --record-size "$RECORD_BYTES" --throughput -1 \
    --command-property acks=all > "$3" 2>&1
}

consume() {
  # consume TOPIC GROUP OUTFILE
  kafka_class "$TOOL_LIMIT" org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BOOTSTRAP" \
    --topic "$1" --group "$2" --num-records "$RECORDS" --timeout 30000 > "$3" 2>&1
}


run_topic() {
  # run_topic BROKER ROUND PARTITIONS: create, produce, consume; one line in runs.tsv per phase.
  local broker="$1" round="$2" partitions="$3" rc before after figures note sent consumed
  local topic="perf-p$partitions" prefix="$RESULTS/$broker-$round-p$partitions"
  CPU_SHARE=""
  rc=0
  create_topic "$topic" "$partitions" "$prefix-create.txt" || rc=$?
  if [ "$rc" -ne 0 ] || grep -qE 'Exception|ERROR' "$prefix-create.txt"; then
    record_run "$broker" "$round" "$partitions" produce "$prefix-create.txt" "$rc" "$(printf '\t\t\t\t')" \
      "creating the topic failed" || true
    return 0
  fi

  rc=0
  before="$(cpu_snapshot)"
  produce "$topic" "$RECORDS" "$prefix-produce.txt" || rc=$?
  after="$(cpu_snapshot)"
  CPU_SHARE="$(cpu_share "$before" "$after")"
  figures="$(producer_figures "$prefix-produce.txt")"
  note=""
  if [ -z "$figures" ]; then
    note="no summary line from ProducerPerformance"
    figures="$(printf '\t\t\t\t')"
  else
    sent="$(echo "$figures" | cut -f5)"
    if [ "$sent" -lt "$RECORDS" ]; then note="$sent of $RECORDS records sent"; fi
  fi
  if record_run "$broker" "$round" "$partitions" produce "$prefix-produce.txt" "$rc" "$figures" "$note"; then
    log "$broker round $round, $partitions partition(s), produce: $(echo "$figures" |
      awk -F'\t' '{printf "%s records/s, %s MB/s, avg %s ms, p99 %s ms", $1, $2, $3, $4}')"
  fi

  rc=0
  before="$(cpu_snapshot)"
  consume "$topic" "perf-consumer-$broker-$round-p$partitions" "$prefix-consume.txt" || rc=$?
  after="$(cpu_snapshot)"
  CPU_SHARE="$(cpu_share "$before" "$after")"
  figures="$(consumer_figures "$prefix-consume.txt")"
  note=""
  if [ -z "$figures" ]; then
    note="no figures from ConsumerPerformance"
    figures="$(printf '\t\t\t\t')"
  else
    consumed="$(echo "$figures" | cut -f3)"
    if [ "$consumed" -lt "$RECORDS" ]; then note="$consumed of $RECORDS records consumed"; fi
  fi
  if record_run "$broker" "$round" "$partitions" consume "$prefix-consume.txt" "$rc" "$figures" "$note"; then
    log "$broker round $round, $partitions partition(s), consume: $(echo "$figures" |
      awk -F'\t' '{printf "%s MB/s, %s records/s (joining the group: %s ms)", $1, $2, $4}')"
  fi

  if [ -n "$BROKER_PID" ] && ! kill -0 "$BROKER_PID" 2>/dev/null; then
    log "$broker exited during the $partitions-partition runs; restarting it for what follows"
    stop_broker "$broker"
    start_broker "$broker" "$round-restart-p$partitions"
  fi
}

# ---------------------------------------------------------------------------------------------
# Alternate the brokers, the first one changing every round.
BROKERS=(wharf kafka wharf-nofsync)
if [ -n "$EARLIER" ]; then
  BROKERS+=(wharf-earlier)
fi
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  shift_by=$(( (round - 1) % ${#BROKERS[@]} ))
  order=("${BROKERS[@]:$shift_by}" "${BROKERS[@]:0:$shift_by}")
  for broker in "${order[@]}"; do
    log "round $round: starting $broker"
    start_broker "$broker" "$round"
    warm="$RESULTS/$broker-$round-warmup"
    if create_topic perf-warmup 1 "$warm-create.txt"; then
      produce perf-warmup "$WARMUP_RECORDS" "$warm-produce.txt" ||
        log "$broker warm-up run failed (see $warm-produce.txt)"
    else
      log "$broker: creating the warm-up topic failed (see $warm-create.txt)"
    fi
    for partitions in "${PARTITION_COUNTS[@]}"; do
      run_topic "$broker" "$round" "$partitions"
    done
    stop_broker "$broker"
  done
done

# ---------------------------------------------------------------------------------------------
# Report.
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
describe_machine /tmp
JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n 1 | cut -d'"' -f2)"
WHARF_JVM_OPTIONS="$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/wharf")"
WHARF_VERSION="$(find "$ROOT/wharf-server/target" -maxdepth 1 -name 'wharf-server-*.jar' ! -name '*-tests.jar' |
  head -n 1 | sed -E 's/.*wharf-server-(.*)\.jar$/\1/')"
WHARF_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || true)"
ROUNDS_TEXT="$ROUNDS round$([ "$ROUNDS" -eq 1 ] || echo s)"

SECTION="$(python3 - "$TSV" "$RECORDS" "$RECORD_BYTES" "$EARLIER_SHORT" <<'PY'
import sys, statistics
runs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
records, size, earlier = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
names = {"wharf": "Wharf", "wharf-nofsync": "Wharf, fsync never", "kafka": "Kafka", "wharf-earlier": f"Wharf {earlier}"}
brokers = ["wharf", "wharf-nofsync", "kafka"] + (["wharf-earlier"] if earlier else [])
def num(s):
    try: return float(s)
    except ValueError: return None
def n(v): return f"{int(round(v)):,}" if v is not None else "–"
def f1(v): return f"{v:,.1f}" if v is not None else "–"
def f0(v): return f"{v:,.0f}" if v is not None else "–"
def ratio(a, b): return f"{a / b:.2f}" if a is not None and b else "–"
# Columns: 0 broker, 1 round, 2 partitions, 3 phase, 4-8 figures, 9 status, 10 note, 11-12 CPU.
def rows(broker, partitions, phase):
    return [r for r in runs if r[0] == broker and r[2] == partitions and r[3] == phase]
def mean(rs, i):
    vals = [num(r[i]) for r in rs if r[9] == "ok" and num(r[i]) is not None]
    return statistics.mean(vals) if vals else None
partition_counts = sorted({r[2] for r in runs}, key=int)
def compared(broker, p):
    """One Wharf configuration's runs on a topic against Kafka's: the means, both sets of runs, and the table cells."""
    wp, kp = rows(broker, p, "produce"), rows("kafka", p, "produce")
    wc, kc = rows(broker, p, "consume"), rows("kafka", p, "consume")
    m = {"w_rate": mean(wp, 4), "k_rate": mean(kp, 4), "w_p99": mean(wp, 7), "k_p99": mean(kp, 7),
         "w_mb": mean(wc, 4), "k_mb": mean(kc, 4)}
    cells = (f"{n(m['w_rate'])} | {n(m['k_rate'])} | {ratio(m['w_rate'], m['k_rate'])} "
             f"| {f0(m['w_p99'])} | {f0(m['k_p99'])} | {ratio(m['w_p99'], m['k_p99'])} "
             f"| {f0(m['w_mb'])} | {f0(m['k_mb'])} | {ratio(m['w_mb'], m['k_mb'])}")
    return m, wp + wc, kp + kc, cells

out = []
out.append("| topic | producer records/s Wharf | Kafka | Wharf/Kafka (target ≥ 1.2) "
           "| producer p99 ms Wharf | Kafka | Wharf/Kafka (target ≤ 1) "
           "| consumer MB/s Wharf | Kafka | Wharf/Kafka (target ≥ 1) |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
verdicts = []
for p in partition_counts:
    m, wharf_runs, kafka_runs, cells = compared("wharf", p)
    label = f"{p} partition" + ("" if p == "1" else "s")
    failed = []
    for who, rs in (("Wharf", wharf_runs), ("Kafka", kafka_runs)):
        bad = [r for r in rs if r[9] != "ok"]
        if bad: failed.append(f"{who}: {len(bad)} of {len(rs)} runs failed, averaged without them")
    if failed: label += " (" + "; ".join(failed) + ")"
    out.append(f"| {label} | {cells} |")
    met = []
    if m["w_rate"] and m["k_rate"]: met.append(f"producer rate {'met' if m['w_rate'] / m['k_rate'] >= 1.2 else 'missed'}")
    if m["w_p99"] is not None and m["k_p99"] is not None: met.append(f"p99 latency {'met' if m['w_p99'] <= m['k_p99'] else 'missed'}")
    if m["w_mb"] and m["k_mb"]: met.append(f"consumer rate {'met' if m['w_mb'] / m['k_mb'] >= 1 else 'missed'}")
    if met: verdicts.append(f"{p} partition{'' if p == '1' else 's'}: " + ", ".join(met))
print("\n".join(out))
if verdicts:
    print("\nTargets: " + "; ".join(verdicts) + ".")

print("\nAt Kafka's durability: Wharf with `storage.fsync: never`, which acknowledges from the page cache as Kafka does "
      "(a process crash loses nothing, a machine crash can lose what the operating system had not yet written), against the same Kafka runs:\n")
out = ["| topic | producer records/s Wharf, fsync never | Kafka | ratio | producer p99 ms Wharf, fsync never | Kafka | ratio "
       "| consumer MB/s Wharf, fsync never | Kafka | ratio |",
       "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for p in partition_counts:
    out.append(f"| {p} partition{'' if p == '1' else 's'} | {compared('wharf-nofsync', p)[3]} |")
print("\n".join(out))

if earlier:
    print(f"\nThis checkout against commit {earlier}, both with their defaults (fsync `always`), in the same run:\n")
    out = [f"| topic | producer records/s now | {earlier} | now/{earlier} | Wharf/Kafka now | {earlier} "
           f"| consumer MB/s now | {earlier} | now/{earlier} | Wharf/Kafka now | {earlier} |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for p in partition_counts:
        now, before = compared("wharf", p)[0], compared("wharf-earlier", p)[0]
        out.append(f"| {p} partition{'' if p == '1' else 's'} | {n(now['w_rate'])} | {n(before['w_rate'])} "
                   f"| {ratio(now['w_rate'], before['w_rate'])} | {ratio(now['w_rate'], now['k_rate'])} "
                   f"| {ratio(before['w_rate'], before['k_rate'])} | {f0(now['w_mb'])} | {f0(before['w_mb'])} "
                   f"| {ratio(now['w_mb'], before['w_mb'])} | {ratio(now['w_mb'], now['k_mb'])} | {ratio(before['w_mb'], before['k_mb'])} |")
    print("\n".join(out))

others = {}
for b in ("wharf", "wharf-nofsync", "kafka"):
    vals = [num(r[12]) for r in runs if r[0] == b and len(r) > 12 and num(r[12]) is not None]
    others[b] = statistics.mean(vals) if vals else None
if others["wharf"] is not None and others["kafka"] is not None:
    print(f"\nOther processes on the machine (not the broker, not the load tool) used on average {others['wharf']:.0f}% "
          f"of its CPU during Wharf's runs, {others['wharf-nofsync'] or 0:.0f}% during those of Wharf with fsync never and {others['kafka']:.0f}% during Kafka's (100% = all cores); "
          "the tables below give it run by run. Where that share is large, both brokers' figures are depressed "
          "and the ratios less certain.")

print(f"\nEvery producer run ({records:,} records of {size:,} bytes, acks=all):\n")
out = ["| topic partitions | broker | round | records/s | MB/s | avg latency ms | p99 latency ms | broker CPU % | other processes' CPU % | |",
       "|---:|---|---:|---:|---:|---:|---:|---:|---:|---|"]
for p in partition_counts:
    for b in brokers:
        for r in rows(b, p, "produce"):
            status = "" if r[9] == "ok" else "**failed**: " + r[10]
            out.append(f"| {p} | {names[b]} | {r[1]} | {n(num(r[4]))} | {f1(num(r[5]))} | {f1(num(r[6]))} | {f0(num(r[7]))} "
                       f"| {r[11] or '–'} | {r[12] or '–'} | {status} |")
print("\n".join(out))

print(f"\nEvery consumer run (the same {records:,} records, read back by one consumer in a new group):\n")
out = ["| topic partitions | broker | round | MB/s | records/s | records consumed | joining the group ms | MB/s after joining | broker CPU % | other processes' CPU % | |",
       "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
for p in partition_counts:
    for b in brokers:
        for r in rows(b, p, "consume"):
            status = "" if r[9] == "ok" else "**failed**: " + r[10]
            out.append(f"| {p} | {names[b]} | {r[1]} | {f0(num(r[4]))} | {n(num(r[5]))} | {n(num(r[6]))} | {n(num(r[7]))} "
                       f"| {f0(num(r[8]))} | {r[11] or '–'} | {r[12] or '–'} | {status} |")
print("\n".join(out))
PY
)"

SECTION="$(cat <<MD
## Kafka protocol: Wharf and Apache Kafka under Kafka's own load tools

Measured $(date -u +%Y-%m-%d) ($(date -u +%H:%M) UTC) with \`$COMMAND\` on $CPU, $MEM, $FS file system; load tool and broker share the cores. Apache Kafka $KAFKA_VERSION in KRaft mode, one node acting as broker and controller, with its defaults apart from what a single node on loopback needs (listeners and controller quorum on 127.0.0.1, replication factor 1 for its internal topics, \`group.initial.rebalance.delay.ms=0\`), started with the JVM options of its own start scripts (\`$KAFKA_JVM_OPTIONS\`). Wharf ${WHARF_VERSION:-(version unknown)}${WHARF_COMMIT:+ (commit $WHARF_COMMIT)} with its defaults, Kafka endpoint on 127.0.0.1:9092, started by \`./wharf\` with its default JVM options (\`$WHARF_JVM_OPTIONS\`). Both on Java $JAVA_VERSION. **Durability differs:** Wharf runs with fsync \`always\`, so it acknowledges a produce request only once the records are on disk; Kafka acknowledges from the page cache (its default: no fsync before the acknowledgement, replication being its durability), so acks=all on a single node waits for no disk at all. Each round therefore also runs Wharf with \`storage.fsync: never\` (\`WHARF_STORAGE_FSYNC=never\`, otherwise the same), which acknowledges from the page cache as Kafka does; the targets are judged on Wharf's defaults.

Load from Apache Kafka's kafka-tools $KAFKA_VERSION over loopback: \`org.apache.kafka.tools.ProducerPerformance --num-records $RECORDS --record-size $RECORD_BYTES --throughput -1 --command-property acks=all\` (one producer, other producer settings the client's defaults), then \`org.apache.kafka.tools.ConsumerPerformance --num-records $RECORDS --timeout 30000\` (one consumer in a new consumer group, detailed stats off). Each topic is created beforehand with \`org.apache.kafka.tools.TopicCommand --create --partitions N --replication-factor 1\`, on every broker. One broker runs at a time, started fresh with an empty data directory for each of $ROUNDS_TEXT; they take turns, the first one changing every round.${EARLIER_SHORT:+ Wharf at commit $EARLIER_SHORT, built in a temporary worktree, takes its turns with its defaults too.} After each start $WARMUP_RECORDS records are produced to a warm-up topic and not counted. Figures are the tools' own: the producer's summary line (records/sec, MB/sec, avg and 99th percentile latency from send to acknowledgement) and the consumer's \`MB.sec\` and \`nMsg.sec\` (over the whole run, joining the group included); MB is 2^20 bytes, as the tools count it. Runs on this machine vary by 20–50% from one to the next: read the ratios, not the digits. Load average (1, 5, 15 min) before the first run: $LOAD_BEFORE; after the last: $LOAD_AFTER. Ratios above 1 mean Wharf is faster for throughput and slower for latency.

$SECTION
MD
)"

write_doc_section kafka "$SECTION"
echo "$SECTION"
log "tool outputs and broker logs are in $RESULTS"
