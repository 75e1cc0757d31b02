#!/usr/bin/env bash
# MQTT benchmark: Wharf next to Mosquitto (Debian's package, persistence on), both driven by the
# same MQTT load tool (io.wharf.bench.MqttBench, on HiveMQ's MQTT client), in one run on the same
# machine. One broker runs at a time on 127.0.0.1:1883; the two alternate round by round, each
# started fresh with an empty data directory. Scenarios:
#   1to1      1 publisher -> 1 subscriber, QoS 1, 256-byte payloads
#   10to10    10 publishers -> 10 subscribers (each pair its own topic), QoS 1, 256-byte payloads
#   1to1-persistent  as 1to1, the subscriber keeping a persistent session (not a target: shows
#             the durable path, where Wharf fsyncs each message before acknowledging it)
#   idle      COUNT idle MQTT connections from 127.0.0.1 .. 127.0.0.16, then the broker's memory:
#             resident memory for both, and for Wharf also its Java heap in use after a full GC
# Writes the figures, ratios, the command and the date into docs/benchmarks.md.
#
# Needs root or sudo to install Debian's mosquitto when it is missing, and Maven Central for the
# load tool's client.
#
# Usage: bench/mqtt.sh [seconds-per-run] [rounds] [idle-connections]   (default 20 s, 2 rounds, 20000)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
JDK="$(wharf_find_jdk 21)"
JAVA="$JDK/bin/java"
DURATION="${1:-20}"
ROUNDS="${2:-2}"
IDLE="${3:-20000}"
PAYLOAD=256
MAX_PER_PUBLISHER=10000000
ADDRESSES=16
CLIENTS_PER_PROCESS=5000
COMMAND="bench/mqtt.sh $*"
COMMAND="${COMMAND% }"

case "$DURATION$ROUNDS$IDLE" in *[!0-9]*) echo "usage: bench/mqtt.sh [seconds-per-run] [rounds] [idle-connections]" >&2; exit 2 ;; esac
if [ "$DURATION" -lt 1 ] || [ "$ROUNDS" -lt 1 ]; then
  echo "mqtt.sh: seconds and rounds must be at least 1" >&2
  exit 2
fi

BENCH_NAME=mqtt.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

use_root_or_sudo "Mosquitto is installed with apt-get"

# Every connection is an open file in the broker: the per-process limit caps the idle test.
FD_LIMIT="$(ulimit -Hn)"
IDLE_NOTE=""
if [ "$FD_LIMIT" != unlimited ] && [ $(( IDLE + 1000 )) -gt "$FD_LIMIT" ]; then
  ulimit -n "$FD_LIMIT"
  WANTED="$IDLE"
  IDLE=$(( (FD_LIMIT - 1000) / 1000 * 1000 ))
  IDLE_NOTE="This machine allows a process at most $FD_LIMIT open files (hard limit, not raisable here), and each connection is one open file in the broker: the idle test opened $IDLE connections instead of $WANTED."
  log "$IDLE_NOTE"
else
  ulimit -n "$FD_LIMIT" 2>/dev/null || true
fi

SCRATCH=""
WHARF_PID=""
MOSQ_PID=""
HOLDERS=()
HOLDER_FDS=()

stop_wharf() {
  [ -n "$WHARF_PID" ] || return 0
  stop_pid Wharf "$WHARF_PID"
  WHARF_PID=""
}

stop_mosquitto() {
  [ -n "$MOSQ_PID" ] || return 0
  stop_pid Mosquitto "$MOSQ_PID"
  MOSQ_PID=""
}

stop_holders() {
  local pid
  for pid in "${HOLDERS[@]}"; do
    stop_pid "idle-connection holder" "$pid"
  done
  HOLDERS=()
}

cleanup() {
  local rc=$?
  set +e
  stop_holders
  stop_wharf
  stop_mosquitto
  [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in 1883 8083 5672 9092 15672; do
  if port_in_use "$port"; then
    die "port $port on this machine is in use by a process this script did not start; free it and run again"
  fi
done

# ---------------------------------------------------------------------------------------------
# Mosquitto from Debian's package; its own service must not start on install.
if ! command -v mosquitto >/dev/null 2>&1 && [ ! -x /usr/sbin/mosquitto ]; then
  install_debian_package mosquitto || die "mosquitto could not be installed"
fi
MOSQUITTO="$(command -v mosquitto || echo /usr/sbin/mosquitto)"
if port_in_use 1883; then
  die "a Mosquitto was started by the package's service, not by this script; stop it and run again"
fi
MOSQ_VERSION="$(dpkg-query -W -f '${Version}' mosquitto 2>/dev/null || echo unknown)"

log "building Wharf and the load tool"
"$ROOT/wharf" --help > /dev/null
# The load tool's libraries are copied afresh, so no jar of an older build is on its class path.
rm -rf "$ROOT/wharf-bench/target/lib"
(cd "$ROOT" && JAVA_HOME="$JDK" ./mvnw -q -B -Pbench -DskipTests -Denforcer.skip package -pl wharf-bench -am)
HIVEMQ_CLIENT_VERSION="$(ls "$ROOT"/wharf-bench/target/lib/ | sed -n 's/^hivemq-mqtt-client-\(.*\)\.jar$/\1/p')"
BENCH_JAR="$(ls "$ROOT"/wharf-bench/target/wharf-bench-*.jar | head -n 1)"
TOOL=("$JAVA" -Xmx1g -cp "$BENCH_JAR:$ROOT/wharf-bench/target/lib/*" io.wharf.bench.MqttBench)

SCRATCH="$(mktemp -d /tmp/wharf-mqtt-bench.XXXXXX)"
RESULTS="$SCRATCH/results.tsv"
: > "$RESULTS"
describe_machine "$SCRATCH"
WHARF_COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

start_wharf() {
  start_wharf_process "$SCRATCH/wharf-data" "$SCRATCH/wharf.log" WHARF_MQTT_PORT=1883 WHARF_MQTT_WEBSOCKET_ENABLED=false
  BROKER_PID="$WHARF_PID"
}

start_mosquitto() {
  rm -rf "$SCRATCH/mosquitto"
  mkdir -p "$SCRATCH/mosquitto"
  cat > "$SCRATCH/mosquitto/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous true
user root
persistence true
persistence_location $SCRATCH/mosquitto/
max_queued_messages 1000000
max_inflight_messages 100
CONF
  "$MOSQUITTO" -c "$SCRATCH/mosquitto/mosquitto.conf" > "$SCRATCH/mosquitto.log" 2>&1 &
  MOSQ_PID=$!
  BROKER_PID="$MOSQ_PID"
  for _ in $(seq 100); do
    port_in_use 1883 && return 0
    kill -0 "$MOSQ_PID" 2>/dev/null || { tail -n 20 "$SCRATCH/mosquitto.log" >&2; die "Mosquitto exited during start-up"; }
    sleep 0.1
  done
  die "Mosquitto did not listen on 1883 within 10 s"
}

stop_broker() {
  case "$1" in
    wharf) stop_wharf ;;
    mosquitto) stop_mosquitto ;;
  esac
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

# Java heap in use after a full collection, in kB; empty for a broker that is not a JVM.
heap_kb() {
  "$JDK/bin/jcmd" "$1" GC.run > /dev/null 2>&1 || return 0
  "$JDK/bin/jcmd" "$1" GC.heap_info 2>/dev/null | awk '/total.*used/ { for (i = 1; i <= NF; i++) if ($i == "used") { v = $(i + 1); sub(/K,?/, "", v); print v; exit } }'
}

run_throughput() {
  # run_throughput BROKER ROUND SCENARIO PAIRS [clean|persistent]
  local broker="$1" round="$2" scenario="$3" pairs="$4" sessions="${5:-clean}" line before after shares
  before="$(cpu_snapshot)"
  line="$("${TOOL[@]}" throughput 1883 "$pairs" 1 "$PAYLOAD" "$DURATION" "$MAX_PER_PUBLISHER" "$sessions" 2> "$SCRATCH/tool.err" | tail -n 1)"
  after="$(cpu_snapshot)"
  shares="$(cpu_share "$before" "$after")"
  log "$broker round $round $scenario: $line (broker CPU ${shares%%$'\t'*}%, others ${shares##*$'\t'}%)"
  printf '%s\t%s\t%s\t%s\t%s\n' "$broker" "$round" "$scenario" "$line" "$shares" >> "$RESULTS"
}

run_idle() {
  # run_idle BROKER ROUND: opens the idle connections from several holder processes, then reads memory.
  local broker="$1" round="$2" left="$IDLE" n i=0 connected=0 fifo idle_rss rss heap holder_fd
  idle_rss="$(rss_kb "$BROKER_PID")"
  while [ "$left" -gt 0 ]; do
    n=$(( left < CLIENTS_PER_PROCESS ? left : CLIENTS_PER_PROCESS ))
    fifo="$SCRATCH/holder-$i.in"
    mkfifo "$fifo"
    "$JAVA" -Xmx256m -cp "$BENCH_JAR:$ROOT/wharf-bench/target/lib/*" io.wharf.bench.MqttBench connections 1883 "$n" "$ADDRESSES" \
      < "$fifo" > "$SCRATCH/holder-$i.out" 2>&1 &
    HOLDERS+=($!)
    exec {holder_fd}>"$fifo"
    HOLDER_FDS+=("$holder_fd")
    for _ in $(seq 600); do
      grep -q '^connected=' "$SCRATCH/holder-$i.out" 2>/dev/null && break
      kill -0 "${HOLDERS[-1]}" 2>/dev/null || break
      sleep 0.2
    done
    connected=$(( connected + $(sed -n 's/^connected=\([0-9]*\).*/\1/p' "$SCRATCH/holder-$i.out" | head -n 1 || echo 0) ))
    left=$(( left - n ))
    i=$(( i + 1 ))
  done
  sleep 5
  rss="$(rss_kb "$BROKER_PID")"
  heap="$(heap_kb "$BROKER_PID")"
  [ "$broker" = wharf ] || heap=""
  log "$broker round $round idle: $connected connections, RSS $(( rss / 1024 )) MiB (idle $(( idle_rss / 1024 )) MiB)${heap:+, heap in use after GC $(( heap / 1024 )) MiB}"
  printf '%s\t%s\tidle\tconnected=%s idle_rss_kb=%s rss_kb=%s heap_kb=%s\t\t\n' "$broker" "$round" "$connected" "$idle_rss" "$rss" "${heap:-}" >> "$RESULTS"
  local fd pid
  # Closing their standard input lets the holders close their connections and exit.
  for fd in "${HOLDER_FDS[@]}"; do
    eval "exec $fd>&-"
  done
  HOLDER_FDS=()
  for pid in "${HOLDERS[@]}"; do wait "$pid" 2>/dev/null || true; done
  HOLDERS=()
  rm -f "$SCRATCH"/holder-*
}

for (( round = 1; round <= ROUNDS; round++ )); do
  if (( round % 2 == 1 )); then order=(wharf mosquitto); else order=(mosquitto wharf); fi
  for broker in "${order[@]}"; do
    log "round $round: $broker"
    if [ "$broker" = wharf ]; then start_wharf; else start_mosquitto; fi
    # Warm-up, not counted.
    "${TOOL[@]}" throughput 1883 1 1 "$PAYLOAD" 3 "$MAX_PER_PUBLISHER" > /dev/null 2>&1 || true
    run_throughput "$broker" "$round" 1to1 1
    run_throughput "$broker" "$round" 10to10 10
    run_throughput "$broker" "$round" 1to1-persistent 1 persistent
    run_idle "$broker" "$round"
    stop_broker "$broker"
  done
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------------------------------------
SECTION="$(python3 - "$RESULTS" <<PY
import sys, statistics
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
def kv(s):
    return dict(p.split("=", 1) for p in s.split() if "=" in p)
out = []
out.append("## MQTT: Wharf and Mosquitto under the same load tool")
out.append("")
out.append("Measured $(date -u +%Y-%m-%d) ($(date -u +%H:%M) UTC) with \`$COMMAND\` on $CPU, $MEM, $FS file system; load tool and broker share the cores. "
           "Mosquitto $MOSQ_VERSION from Debian's package with \`persistence true\` (it saves its state to disk periodically and does not fsync before acknowledging), "
           "\`max_inflight_messages 100\` and \`max_queued_messages 1000000\`. Wharf $WHARF_COMMIT with its defaults (fsync \`always\`), started by \`./wharf\` with its default JVM options. "
           "In the two target scenarios the subscribers use clean sessions, whose queues are not durable in either broker, so neither writes these messages to disk before acknowledging them. "
           "The third has the subscriber keep a persistent session (clean session off): Wharf then writes each message to the session's durable queue and fsyncs before the PUBACK; Mosquitto keeps it in memory until its periodic save. The load tool is \`io.wharf.bench.MqttBench\` (wharf-bench, HiveMQ MQTT client $HIVEMQ_CLIENT_VERSION, MQTT 3.1.1): each publisher publishes QoS 1 messages of $PAYLOAD bytes "
           "as fast as an in-flight window of 100 allows for $DURATION s, to its own topic with one subscriber (QoS 1); the rate is messages received per second, latency is publish to receipt (every 16th message sampled). "
           "(The tool first used Eclipse Paho 1.2.5, whose subscriber took no more than about 30,000 messages a second from either broker: it measured Paho.) "
           "One broker runs at a time, started fresh each round after a 3 s warm-up that is not counted; the brokers alternate. Load average before: $LOAD_BEFORE; after: $LOAD_AFTER. "
           "Runs on this machine vary by 20–50%: read the ratios, not the digits.")
out.append("")
def by_run(key):
    """A figure of every run, by scenario and broker, in round order."""
    out = {}
    for b, r, sc, line, cpu, other in rows:
        if sc != "idle":
            out.setdefault((sc, b), []).append(float(kv(line).get(key, 0)))
    return out
rates = by_run("rate")
out.append("| scenario | Wharf msg/s | Mosquitto msg/s | Wharf/Mosquitto (target ≥ 1.5) |")
out.append("|---|---:|---:|---:|")
verdicts = []
for sc in ("1to1", "10to10"):
    w = statistics.mean(rates.get((sc, "wharf"), [0]))
    m = statistics.mean(rates.get((sc, "mosquitto"), [0]))
    ratio = w / m if m else 0
    out.append(f"| {sc.replace('to', ' → ')} QoS 1 | {w:,.0f} | {m:,.0f} | {ratio:.2f} |")
    verdicts.append(f"{sc.replace('to', ' → ')}: {'met' if ratio >= 1.5 else 'missed'}")
w = statistics.mean(rates.get(("1to1-persistent", "wharf"), [0]))
m = statistics.mean(rates.get(("1to1-persistent", "mosquitto"), [0]))
out.append(f"| 1 → 1 QoS 1, persistent session (not a target) | {w:,.0f} | {m:,.0f} | {w / m if m else 0:.2f} |")
out.append("")
out.append("Target (Wharf at least 1.5× Mosquitto's msg/s at QoS 1): " + "; ".join(verdicts) + ". Averages over the rounds. "
           "Where a broker acknowledges publishes faster than its subscriber takes them, a backlog builds in the subscriber's queue "
           "and the latency measures that queue; the rate counts until the last message is received. Wharf holds a publisher's acknowledgements while a "
           "connected subscriber's queue holds more than \`mqtt.max-backlog\` ready messages (100 by default), which bounds that backlog.")
out.append("")
p99 = by_run("p99_ms")
out.append("| scenario | Wharf p99 ms, by round | Mosquitto p99 ms, by round |")
out.append("|---|---:|---:|")
for sc in ("1to1", "10to10", "1to1-persistent"):
    out.append(f"| {sc} | {' / '.join(f'{x:.1f}' for x in p99.get((sc, 'wharf'), []))} | {' / '.join(f'{x:.1f}' for x in p99.get((sc, 'mosquitto'), []))} |")
w99 = p99.get(("1to1", "wharf"), [])
m99 = p99.get(("1to1", "mosquitto"), [])
met = bool(w99) and len(w99) == len(m99) and max(w99) <= min(m99)
out.append("")
out.append("Target (1 → 1 QoS 1 p99 no higher than Mosquitto's in the same run, every round against every round): " + ("met" if met else "missed") + ".")
out.append("")
out.append("Every run:")
out.append("")
out.append("| scenario | broker | round | published | received | msg/s | p50 ms | p99 ms | broker CPU % | other processes' CPU % |")
out.append("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for b, r, sc, line, cpu, other in rows:
    if sc == "idle":
        continue
    d = kv(line)
    out.append(f"| {sc} | {b} | {r} | {int(d.get('published', 0)):,} | {int(d.get('received', 0)):,} | {float(d.get('rate', 0)):,.0f} | {d.get('p50_ms', '')} | {d.get('p99_ms', '')} | {cpu} | {other} |")
out.append("")
out.append("Idle connections (MQTT 3.1.1, keep-alive off, from 127.0.0.1 to 127.0.0.$ADDRESSES), then the broker's memory: resident memory (VmRSS), and for Wharf the Java heap in use after a full GC (\`jcmd GC.heap_info\`):")
out.append("")
out.append("| broker | round | connections | RSS before opening them (after the throughput runs) MiB | RSS with the connections MiB | Java heap in use MiB |")
out.append("|---|---:|---:|---:|---:|---:|")
heap_ok = []
for b, r, sc, line, cpu, other in rows:
    if sc != "idle":
        continue
    d = kv(line)
    heap = d.get("heap_kb", "")
    hv = f"{int(heap) / 1024:.0f}" if heap else "—"
    if b == "wharf" and heap:
        heap_ok.append(int(heap) / 1024 < 1024)
    out.append(f"| {b} | {r} | {int(d['connected']):,} | {int(d['idle_rss_kb']) / 1024:.0f} | {int(d['rss_kb']) / 1024:.0f} | {hv} |")
out.append("")
note = """$IDLE_NOTE"""
if heap_ok:
    out.append("Target (the connections held in under 1 GiB of heap): " + ("met" if all(heap_ok) else "missed") + "." + (" " + note if note else ""))
print("\n".join(out))
PY
)"
write_doc_section mqtt "$SECTION"
log "wrote the MQTT section of docs/benchmarks.md"
