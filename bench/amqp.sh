#!/usr/bin/env bash
# AMQP 0-9-1 benchmark: Wharf next to RabbitMQ, both driven by RabbitMQ's own load tool
# (PerfTest), in one run on the same machine. One broker runs at a time, both on 127.0.0.1:5672;
# the two alternate round by round. Each broker is started fresh for every round, warmed up
# with a short run that is not counted, then runs three scenarios:
#   durable    1 producer, 1 consumer, persistent 1000-byte messages into a durable named queue,
#              publisher confirms (100 in flight), manual acks
#   transient  1 producer, 1 consumer, 1000-byte messages, no confirms, auto-ack
#   fanout     1 producer, a fanout exchange, 4 consumers each with its own queue, auto-ack
# and finally a memory scenario: 1,000,000 persistent 1 KiB messages, confirmed, into a durable
# queue with no consumer, then each broker's resident memory once publishing has settled.
# Writes the figures, ratios, the command and the date into docs/benchmarks.md.
#
# Needs root or sudo (to install Debian's rabbitmq-server when it is missing and to run it as
# the rabbitmq user) and network access to the Debian mirrors and Maven Central.
#
# Usage: bench/amqp.sh [seconds-per-run] [rounds]    (default 30 s, 2 rounds)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
JDK="$(wharf_find_jdk 21)"
JAVA="$JDK/bin/java"
DURATION="${1:-30}"
ROUNDS="${2:-2}"
WARMUP=$(( DURATION < 5 ? DURATION : 5 ))
PERFTEST_VERSION=2.22.1
MEMORY_MESSAGES=1000000
SETTLE_SECONDS=15
URI="amqp://guest:guest@127.0.0.1:5672"
COMMAND="bench/amqp.sh $*"
COMMAND="${COMMAND% }"

case "$DURATION$ROUNDS" in *[!0-9]*) echo "usage: bench/amqp.sh [seconds-per-run] [rounds]" >&2; exit 2 ;; esac
if [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ]; then
  echo "amqp.sh: seconds and rounds must be at least 1" >&2
  exit 2
fi

BENCH_NAME=amqp.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

use_root_or_sudo "RabbitMQ is installed with apt-get and runs as the rabbitmq user"


rabbit_running() {
  # Any RabbitMQ node on this machine: an Erlang VM started with the rabbit application.
  pgrep -f 'beam(\.smp)? .*rabbit' >/dev/null 2>&1
}

# ---------------------------------------------------------------------------------------------
# State for the exit trap: only what this script started is ever stopped.
SCRATCH=""
WHARF_PID=""
RABBIT_PIDFILE=""
RABBIT_STARTED=""
EPMD_WAS_RUNNING=""

rabbit_env() {
  # rabbit_env [VAR=VALUE...] COMMAND ARGS...: runs a RabbitMQ command (as root, which Debian's
  # wrappers turn into the rabbitmq user) with the node's settings in its environment.
  "${SUDO[@]}" env RABBITMQ_NODENAME=rabbit@localhost \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
      RABBITMQ_MNESIA_BASE="$SCRATCH/rabbit/mnesia" \
      RABBITMQ_LOG_BASE="$SCRATCH/rabbit/log" \
      RABBITMQ_PID_FILE="$SCRATCH/rabbit/rabbit.pid" \
      ERL_EPMD_ADDRESS=127.0.0.1 \
      "$@"
}

rabbitmqctl_() { rabbit_env rabbitmqctl "$@"; }

stop_wharf() {
  [ -n "$WHARF_PID" ] || return 0
  stop_pid Wharf "$WHARF_PID"
  WHARF_PID=""
}

stop_rabbit() {
  [ -n "$RABBIT_STARTED" ] || return 0
  if [ -f "$RABBIT_PIDFILE" ]; then
    rabbitmqctl_ stop "$RABBIT_PIDFILE" >/dev/null 2>&1 || log "rabbitmqctl stop failed"
  fi
  for _ in $(seq 60); do kill -0 "$RABBIT_STARTED" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$RABBIT_STARTED" 2>/dev/null; then
    # Only reached when the node never wrote its pid file or ignored rabbitmqctl stop: the
    # process this script launched (PID $RABBIT_STARTED) gets SIGTERM, nothing else.
    log "RabbitMQ (PID $RABBIT_STARTED) still running 30 s after rabbitmqctl stop; sending SIGTERM"
    "${SUDO[@]}" kill -TERM "$RABBIT_STARTED" 2>/dev/null || true
    sleep 5
  fi
  if [ -z "$EPMD_WAS_RUNNING" ]; then
    rabbit_env epmd -kill >/dev/null 2>&1 || true
  fi
  wait "$RABBIT_STARTED" 2>/dev/null || true
  RABBIT_STARTED=""
}

cleanup() {
  local rc=$?
  set +e
  stop_wharf
  stop_rabbit
  [ -n "$SCRATCH" ] && "${SUDO[@]}" rm -rf "$SCRATCH"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------------------------
# Preconditions: no broker of anyone else's on the ports this benchmark uses.
if rabbit_running; then
  die "a RabbitMQ node this script did not start is running ($(pgrep -f 'beam(\.smp)? .*rabbit' | head -n 3 | paste -sd ' ' -)); stop it (e.g. 'service rabbitmq-server stop') and run again"
fi
for port in 5672 15672 25672; do
  if port_in_use "$port"; then
    die "port $port on this machine is in use by a process this script did not start; free it and run again"
  fi
done

# RabbitMQ from Debian's package; the package's own service must not start on install.
if ! command -v rabbitmq-server >/dev/null 2>&1 && [ ! -x /usr/sbin/rabbitmq-server ]; then
  install_debian_package rabbitmq-server || die "rabbitmq-server could not be installed"
  sleep 2
fi
if rabbit_running || port_in_use 5672; then
  die "a RabbitMQ was started by the package's service, not by this script; stop it (e.g. 'service rabbitmq-server stop' or 'systemctl disable --now rabbitmq-server') and run again"
fi
RABBIT_VERSION="$(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null || echo unknown)"
ERLANG_VERSION="$(dpkg-query -W -f '${Version}' erlang-base 2>/dev/null || echo unknown)"
if pgrep -x epmd >/dev/null 2>&1; then EPMD_WAS_RUNNING=1; fi

# ---------------------------------------------------------------------------------------------
# Wharf and PerfTest.
# Wharf starts through its own launcher, with the JVM options a user gets; building it here keeps
# the build out of the first start's time limit.
log "building Wharf"
"$ROOT/wharf" --help > /dev/null

# Scratch under /tmp: RabbitMQ runs as the rabbitmq user, which must traverse every parent.
SCRATCH="$(mktemp -d /tmp/wharf-amqp-bench.XXXXXX)"
chmod 755 "$SCRATCH"
RESULTS="$ROOT/bench/results/amqp-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"
TSV="$RESULTS/runs.tsv"
: > "$TSV"

fetch_perftest "$SCRATCH/perftest" "$PERFTEST_VERSION"
# A queue's depth, and its deletion, over AMQP with the client PerfTest ships: the same for both.
cat > "$SCRATCH/perftest/QueueTool.java" <<'JAVA'
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

public class QueueTool {
    public static void main(String[] args) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(args[0]);
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            if (args[1].equals("depth")) {
                System.out.println(channel.queueDeclarePassive(args[2]).getMessageCount());
            } else {
                channel.queueDelete(args[2]);
            }
        }
    }
}
JAVA

perftest() {
  # perftest OUTFILE TIMEOUT-SECONDS ARGS...: runs PerfTest, its output in OUTFILE.
  local out="$1" limit="$2"; shift 2
  (cd "$SCRATCH/perftest" && timeout -k 10 "$limit" "$JAVA" -Xmx1g -cp 'libs/*' com.rabbitmq.perf.PerfTest \
      -h "$URI" "$@") > "$out" 2>&1
}

queue_tool() {
  (cd "$SCRATCH/perftest" && timeout 120 "$JAVA" -cp 'libs/*' QueueTool.java "$URI" "$@")
}

# ---------------------------------------------------------------------------------------------
# Brokers. Each start gets a fresh data directory.
BROKER_PID=""
BROKER_LOG=""

start_wharf() {
  BROKER_LOG="$RESULTS/wharf-$1.log"
  start_wharf_process "$SCRATCH/wharf-data" "$BROKER_LOG"
  BROKER_PID="$WHARF_PID"
}

start_rabbit() {
  local dir="$SCRATCH/rabbit"
  "${SUDO[@]}" rm -rf "$dir"
  mkdir -p "$dir/mnesia" "$dir/log"
  "${SUDO[@]}" chown -R rabbitmq:rabbitmq "$dir"
  RABBIT_PIDFILE="$dir/rabbit.pid"
  BROKER_LOG="$RESULTS/rabbitmq-$1.log"
  rabbit_env RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    rabbitmq-server > "$BROKER_LOG" 2>&1 &
  RABBIT_STARTED=$!
  if ! rabbitmqctl_ wait --timeout 120 "$RABBIT_PIDFILE" >> "$BROKER_LOG" 2>&1; then
    tail -n 30 "$BROKER_LOG" >&2
    die "RabbitMQ did not start; its log is in $BROKER_LOG"
  fi
  BROKER_PID="$("${SUDO[@]}" cat "$RABBIT_PIDFILE")"
}

start_broker() {
  local port
  for port in 5672 15672; do
    port_in_use "$port" && die "port $port was taken by a process this script did not start; free it and run again"
  done
  case "$1" in
    wharf) start_wharf "$2" ;;
    rabbitmq) start_rabbit "$2" ;;
  esac
}

stop_broker() {
  case "$1" in
    wharf) stop_wharf ;;
    rabbitmq) stop_rabbit ;;
  esac
  for _ in $(seq 60); do port_in_use 5672 || break; sleep 0.5; done
  port_in_use 5672 && die "port 5672 still in use after stopping $1"
  BROKER_PID=""
  return 0
}



rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

scenario_args() {
  case "$1" in
    durable)   echo "-x 1 -y 1 -u perf-durable -f persistent -ad false -c 100 -s 1000" ;;
    transient) echo "-x 1 -y 1 -a -s 1000" ;;
    fanout)    echo "-x 1 -y 4 -e perf-fanout -t fanout -a -s 1000" ;;
    warmup)    echo "-x 1 -y 1 -u perf-warmup -f persistent -c 100 -s 1000" ;;
    memory)    echo "-x 1 -y 0 -u perf-memory -f persistent -ad false -c 1000 -s 1024 -C $MEMORY_MESSAGES" ;;
  esac
}

# Appends one line to runs.tsv:
# broker round scenario sent received p50_us p99_us status note broker_cpu% other_cpu%
record_run() {
  local broker="$1" round="$2" scenario="$3" out="$4" rc="$5"
  local sent recv lat p50 p99 status=ok note=""
  sent="$(grep -o 'sending rate avg: [0-9]*' "$out" | awk '{print $4}' | tail -n 1 || true)"
  recv="$(grep -o 'receiving rate avg: [0-9]*' "$out" | awk '{print $4}' | tail -n 1 || true)"
  lat="$(grep 'consumer latency min/median/75th/95th/99th' "$out" | tail -n 1 |
         sed -E 's/.*99th ([0-9/]+) .*/\1/' || true)"
  p50="$(echo "$lat" | cut -d/ -f2)"
  p99="$(echo "$lat" | cut -d/ -f5)"
  if [ "$rc" -ne 0 ] || [ -z "$sent" ]; then
    status=failed
    note="PerfTest exit $rc"
  fi
  if grep -qE 'Exception|ERROR|Error:' "$out"; then
    status=failed
    note="${note:+$note; }$(grep -m1 -E 'Exception|ERROR|Error:' "$out" | cut -c1-200 | tr '\t|' '  ')"
  fi
  if [ -n "$BROKER_PID" ] && ! kill -0 "$BROKER_PID" 2>/dev/null; then
    status=failed
    note="${note:+$note; }broker process exited"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$broker" "$round" "$scenario" "${sent:-}" "${recv:-}" \
    "${p50:-}" "${p99:-}" "$status" "$note" "${CPU_SHARE:-$(printf '\t')}" >> "$TSV"
  if [ "$status" = failed ]; then
    log "$broker round $round $scenario FAILED: $note"
    { echo "=== PerfTest ($out) ==="; tail -n 40 "$out"; echo "=== broker log ($BROKER_LOG) ==="; tail -n 60 "$BROKER_LOG"; } \
      > "$RESULTS/failure-$broker-$round-$scenario.txt" 2>/dev/null || true
  else
    log "$broker round $round $scenario: sent ${sent} msg/s, received ${recv:-0} msg/s, consumer latency p50 ${p50:-?} µs p99 ${p99:-?} µs"
  fi
}

run_scenario() {
  local broker="$1" round="$2" scenario="$3" rc=0
  local out="$RESULTS/perftest-$broker-$round-$scenario.txt"
  local before after
  before="$(cpu_snapshot)"
  # shellcheck disable=SC2046
  perftest "$out" $((DURATION + 60)) $(scenario_args "$scenario") -z "$DURATION" || rc=$?
  after="$(cpu_snapshot)"
  CPU_SHARE="$(cpu_share "$before" "$after")"
  if [ "$scenario" = durable ] && [ "$broker" = rabbitmq ]; then
    rabbitmqctl_ list_queues name durable auto_delete exclusive > "$RESULTS/rabbitmq-$round-queues.txt" 2>&1 || true
  fi
  record_run "$broker" "$round" "$scenario" "$out" "$rc"
  if [ -n "$BROKER_PID" ] && ! kill -0 "$BROKER_PID" 2>/dev/null; then
    log "$broker exited during $scenario; restarting it for the next scenario"
    stop_broker "$broker"
    start_broker "$broker" "$round-restart-$scenario"
  fi
}

# ---------------------------------------------------------------------------------------------
# Throughput and latency: alternate the brokers, the first one switching every round.
SCENARIOS=(durable transient fanout)
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  if [ $((round % 2)) -eq 1 ]; then order=(wharf rabbitmq); else order=(rabbitmq wharf); fi
  for broker in "${order[@]}"; do
    log "round $round: starting $broker"
    start_broker "$broker" "$round"
    # shellcheck disable=SC2046
    perftest "$RESULTS/perftest-$broker-$round-warmup.txt" $((WARMUP + 60)) \
      $(scenario_args warmup) -z "$WARMUP" || log "$broker warm-up run failed (see $RESULTS)"
    for scenario in "${SCENARIOS[@]}"; do
      run_scenario "$broker" "$round" "$scenario"
    done
    stop_broker "$broker"
  done
done

# Memory: 1,000,000 persistent 1 KiB messages, confirmed, into a durable queue without consumer.
MEMORY_TSV="$RESULTS/memory.tsv"
: > "$MEMORY_TSV"
for broker in wharf rabbitmq; do
  log "memory: $broker, $MEMORY_MESSAGES persistent messages"
  start_broker "$broker" memory
  idle_kb="$(rss_kb "$BROKER_PID")"
  out="$RESULTS/perftest-$broker-memory.txt"
  rc=0
  started=$(date +%s)
  # shellcheck disable=SC2046
  perftest "$out" 1200 $(scenario_args memory) -z 1100 || rc=$?
  elapsed=$(( $(date +%s) - started ))
  sent="$(grep -o 'sending rate avg: [0-9]*' "$out" | awk '{print $4}' | tail -n 1 || true)"
  done_msg="$(grep -c 'Producer reached message limit' "$out" || true)"
  sleep "$SETTLE_SECONDS"
  rss="$(rss_kb "$BROKER_PID")"
  hwm="$(hwm_kb "$BROKER_PID")"
  depth="$(queue_tool depth perf-memory 2>>"$out" | tail -n 1 || true)"
  case "$depth" in ''|*[!0-9]*) depth="" ;; esac
  disk="$("${SUDO[@]}" du -sm "$SCRATCH/$([ "$broker" = wharf ] && echo wharf-data || echo rabbit)" | cut -f1)"
  queue_tool delete perf-memory >/dev/null 2>>"$out" || log "deleting the queue on $broker failed"
  status=ok; note=""
  if [ "$rc" -ne 0 ] || [ "$done_msg" -eq 0 ]; then status=failed; note="PerfTest exit $rc, limit not reached"; fi
  if grep -qE 'Exception|ERROR' "$out"; then status=failed; note="${note:+$note; }$(grep -m1 -E 'Exception|ERROR' "$out" | cut -c1-200 | tr '\t|' '  ')"; fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$broker" "${sent:-}" "$elapsed" "$idle_kb" "$rss" "$hwm" \
    "${depth:-}" "$disk" "$status" "$note" >> "$MEMORY_TSV"
  log "memory: $broker RSS ${rss} kB after settling (peak ${hwm} kB, idle ${idle_kb} kB), ${sent:-?} msg/s, ${disk} MB on disk"
  stop_broker "$broker"
  "${SUDO[@]}" rm -rf "$SCRATCH/wharf-data" "$SCRATCH/rabbit"
done

# ---------------------------------------------------------------------------------------------
# Report.
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
describe_machine /tmp
JAVA_VERSION="$("$JAVA" -version 2>&1 | head -n 1 | cut -d'"' -f2)"
WHARF_JVM_OPTIONS="$(sed -n 's/^DEFAULT_JAVA_OPTS="\(.*\)"$/\1/p' "$ROOT/wharf")"
QUEUE_CHECK="$(awk '$1 == "perf-durable" {print "durable=" $2 ", auto_delete=" $3 ", exclusive=" $4}' \
  "$RESULTS"/rabbitmq-*-queues.txt 2>/dev/null | head -n 1)"

SECTION="$(python3 - "$TSV" "$MEMORY_TSV" <<PY
import sys, statistics
runs = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
mem = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
names = {"wharf": "Wharf", "rabbitmq": "RabbitMQ"}
desc = {
    "durable": "durable: 1 producer, 1 consumer, persistent, confirms (100 in flight), manual ack",
    "transient": "transient: 1 producer, 1 consumer, no confirms, auto-ack",
    "fanout": "fanout to 4 queues: 1 producer, 4 consumers, auto-ack",
}
args = {"durable": "$(scenario_args durable)", "transient": "$(scenario_args transient)",
        "fanout": "$(scenario_args fanout)"}
def n(v): return f"{int(round(v)):,}" if v is not None else "–"
def ms(v): return f"{v / 1000:.1f}" if v is not None else "–"
def num(s):
    try: return float(s)
    except ValueError: return None
def ratio(a, b): return f"{a / b:.2f}" if a is not None and b else "–"
out = []
out.append("| scenario | broker | round | sent msg/s | received msg/s | consumer latency p50 ms | p99 ms | broker CPU % | other processes' CPU % | |")
out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
avg = {}
for s in desc:
    for b in ("wharf", "rabbitmq"):
        rows = [r for r in runs if r[0] == b and r[2] == s]
        for r in rows:
            status = "" if r[7] == "ok" else "**failed**: " + r[8]
            cpu = (r + ["", ""])[9:11]
            out.append(f"| {s} | {names[b]} | {r[1]} | {n(num(r[3]))} | {n(num(r[4]))} | {ms(num(r[5]))} | {ms(num(r[6]))} "
                       f"| {cpu[0] or '–'} | {cpu[1] or '–'} | {status} |")
        ok = [r for r in rows if r[7] == "ok"]
        def mean(i):
            vals = [num(r[i]) for r in ok if num(r[i]) is not None]
            return statistics.mean(vals) if vals else None
        avg[(s, b)] = (mean(3), mean(4), mean(5), mean(6), len(ok), len(rows))
table = "\n".join(out)
out = []
out.append("| scenario | sent msg/s Wharf | RabbitMQ | Wharf/RabbitMQ | received msg/s Wharf | RabbitMQ | Wharf/RabbitMQ | consumer p99 ms Wharf | RabbitMQ | Wharf/RabbitMQ |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in desc:
    w, r = avg[(s, "wharf")], avg[(s, "rabbitmq")]
    label = desc[s]
    if w[4] < w[5]: label += f" (Wharf: {w[5] - w[4]} of {w[5]} runs failed, averaged without them)"
    if r[4] < r[5]: label += f" (RabbitMQ: {r[5] - r[4]} of {r[5]} runs failed)"
    out.append(f"| {label} | {n(w[0])} | {n(r[0])} | {ratio(w[0], r[0])} | {n(w[1])} | {n(r[1])} | {ratio(w[1], r[1])} "
               f"| {ms(w[3])} | {ms(r[3])} | {ratio(w[3], r[3])} |")
summary = "\n".join(out)
others = {}
for b in ("wharf", "rabbitmq"):
    vals = [num(r[10]) for r in runs if r[0] == b and len(r) > 10 and num(r[10]) is not None]
    others[b] = statistics.mean(vals) if vals else None
if others["wharf"] is not None and others["rabbitmq"] is not None:
    summary += (f"\n\nOther processes on the machine (not the broker, not PerfTest) used on average {others['wharf']:.0f}% "
                f"of its CPU during Wharf's runs and {others['rabbitmq']:.0f}% during RabbitMQ's (100% = both cores); "
                "the columns of every run below give it run by run. Where that share is large, both brokers' figures "
                "are depressed and the ratios less certain.")
out = []
out.append("| broker | publish msg/s | time s | RSS idle MiB | RSS after publishing and $SETTLE_SECONDS s settling MiB | peak RSS MiB | queue depth | data on disk MiB | |")
out.append("|---|---:|---:|---:|---:|---:|---:|---:|---|")
rss = {}
for m in mem:
    b, sent, el, idle, r, hwm, depth, disk, status, note = m
    rss[b] = int(r) / 1024
    st = "" if status == "ok" else "**failed**: " + note
    out.append(f"| {names[b]} | {n(num(sent))} | {el} | {int(idle) / 1024:.0f} | {int(r) / 1024:.0f} | {int(hwm) / 1024:.0f} | {n(num(depth)) if depth else '–'} | {disk} | {st} |")
memtable = "\n".join(out)
if "wharf" in rss:
    verdict = "under" if rss["wharf"] < 300 else "over"
    memline = (f"Wharf's target is under 300 MB resident; it measured {rss['wharf']:.0f} MiB "
               f"({rss['wharf'] * 1.048576:.0f} MB of 10^6 bytes), {verdict} the target in MiB")
    if rss["wharf"] * 1.048576 >= 300 > rss["wharf"]:
        memline += " and over it in decimal megabytes"
    if "rabbitmq" in rss and rss["rabbitmq"]:
        memline += f"; {rss['wharf'] / rss['rabbitmq']:.2f}× RabbitMQ's {rss['rabbitmq']:.0f} MiB"
    memline += "."
else:
    memline = ""
print(summary)
print("\nEvery run:\n")
print(table)
print("\n### Memory: 1,000,000 persistent 1 KiB messages, no consumer\n")
print("Each broker started fresh, one PerfTest producer with confirms (1000 in flight) and no consumer; "
      "resident memory read from /proc/PID/status (VmRSS; peak is VmHWM) of the Wharf JVM and of RabbitMQ's beam.smp; "
      "queue depth read afterwards with a passive queue.declare; the queue and the data are deleted afterwards. "
      "RabbitMQ 3.10's default classic queues (not lazy) keep messages in memory as well as on disk until memory use "
      "nears the paging threshold (by default half of its watermark of 40% of RAM); Wharf keeps at most queues.memory-cache (64 MiB) of messages in memory.\n")
print(memtable)
print()
print(memline)
print("\nScenario flags (each also \`-h $URI -z $DURATION\`):\n")
for s in desc:
    print(f"- {s}: \`{args[s]}\`")
print(f"- memory: \`$(scenario_args memory)\` (producer stops at the count; RSS read from /proc/PID/status, VmRSS and VmHWM)")
PY
)"

SECTION="$(cat <<MD
## AMQP 0-9-1: Wharf and RabbitMQ under PerfTest

Measured $(date -u +%Y-%m-%d) ($(date -u +%H:%M) UTC) with \`$COMMAND\` on $CPU, $MEM, $FS file system; load tool and broker share the cores. RabbitMQ $RABBIT_VERSION (Debian package, Erlang $ERLANG_VERSION, default settings) and Wharf with its defaults, **fsync \`always\`** (every confirm waits for the fsync that covers it), Java $JAVA_VERSION started by \`./wharf\` with its default JVM options (\`$WHARF_JVM_OPTIONS\`). Load from RabbitMQ PerfTest $PERFTEST_VERSION over loopback. One broker runs at a time, on 127.0.0.1:5672, started fresh with an empty data directory for each of $ROUNDS rounds; the brokers alternate, the first one switching every round. After each start a ${WARMUP} s persistent run warms the broker up and is not counted; then every scenario runs for $DURATION s. Figures are PerfTest's own averages over the run (\`sending rate avg\`, \`receiving rate avg\`, \`consumer latency\`). Runs on this machine vary by 20–50% from one to the next: read the ratios, not the digits. Load average (1, 5, 15 min) before the first run: $LOAD_BEFORE; after the last: $LOAD_AFTER. Ratios above 1 mean Wharf is faster for throughput and slower for p99 latency. In the transient and fanout scenarios nothing slows the producer down (no confirms, auto-ack), so whenever it outruns a consumer the queue grows for the whole run, and consumer latency there is mostly time spent queued: seconds, not milliseconds. ${QUEUE_CHECK:+The durable queue was checked on RabbitMQ after each durable run: $QUEUE_CHECK.}

$SECTION
MD
)"

write_doc_section amqp "$SECTION"
echo "$SECTION"
log "PerfTest outputs and broker logs are in $RESULTS"
