#!/usr/bin/env bash
# What one AMQP message costs inside Wharf: CPU time, bytes allocated and thread switches per
# message, by thread group, for this checkout and optionally an earlier commit, in one run on the
# same machine. Each build is started fresh through its own launcher, warmed up with a run that is
# not counted, then given a fixed number of messages by RabbitMQ's PerfTest in two scenarios:
#   durable    1 producer, 1 consumer, persistent messages (1000 bytes unless told) into a durable named queue,
#              publisher confirms (100 in flight), manual acks
#   transient  1 producer, 1 consumer, the same messages, no confirms, auto-ack
# Around the counted run the script reads the broker's threads twice: bytes allocated per thread
# from the JVM (jcmd Thread.print -e), and voluntary plus involuntary context switches per thread
# from /proc. A switch is where a thread parked and another ran: the cost of handing a message
# from one thread to another. Threads that end during the run are not counted; the broker's
# threads live as long as it does.
#
# Usage: bench/per-message.sh [messages] [earlier-commit] [body-bytes]
#        (default 300000 messages of 1000 bytes; the warm-up is a third as many, at most 100000)
# With a commit, that commit is built in a temporary worktree and measured the same way first.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/jdk.sh
. "$ROOT/scripts/jdk.sh"
JDK="$(wharf_find_jdk 21)"
JAVA="$JDK/bin/java"
MESSAGES="${1:-300000}"
EARLIER="${2:-}"
BODY_BYTES="${3:-1000}"
PERFTEST_VERSION=2.22.1
URI="amqp://guest:guest@127.0.0.1:5672"
COMMAND="bench/per-message.sh $*"
COMMAND="${COMMAND% }"

for n in "$MESSAGES" "$BODY_BYTES"; do
  case "$n" in ''|*[!0-9]*) echo "usage: bench/per-message.sh [messages] [earlier-commit] [body-bytes]" >&2; exit 2 ;; esac
done
WARMUP_MESSAGES=$(( MESSAGES / 3 < 100000 ? MESSAGES / 3 : 100000 ))

BENCH_NAME=per-message.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"

SCRATCH=""
WHARF_PID=""
WORKTREE=""
EARLIER_SHORT=""
cleanup() {
  local rc=$?
  set +e
  [ -n "$WHARF_PID" ] && stop_pid Wharf "$WHARF_PID"
  [ -n "$WORKTREE" ] && remove_earlier "$WORKTREE"
  [ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for port in 5672 15672; do
  port_in_use "$port" && die "port $port is in use by a process this script did not start; free it and run again"
done

SCRATCH="$(mktemp -d /tmp/wharf-per-message.XXXXXX)"
RESULTS="$ROOT/bench/results/per-message-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$RESULTS"

fetch_perftest "$SCRATCH/perftest" "$PERFTEST_VERSION"

perftest() {
  # perftest OUTFILE COUNT ARGS...: sends and receives COUNT messages, or gives up after 10 minutes.
  local out="$1" count="$2"; shift 2
  (cd "$SCRATCH/perftest" && timeout -k 10 600 "$JAVA" -Xmx1g -cp 'libs/*' com.rabbitmq.perf.PerfTest \
      -h "$URI" -C "$count" -D "$count" "$@") > "$out" 2>&1
}

scenario_args() {
  case "$1" in
    durable)   echo "-x 1 -y 1 -u per-message-durable -f persistent -ad false -c 100 -s $BODY_BYTES" ;;
    transient) echo "-x 1 -y 1 -u per-message-transient -ad false -a -s $BODY_BYTES" ;;
  esac
}

# snapshot FILE: the broker's threads with their names and bytes allocated (FILE.jcmd), each
# thread's context switches by thread id (FILE.proc), and the process's CPU ticks (FILE.cpu).
snapshot() {
  local out="$1"
  "$JDK/bin/jcmd" "$WHARF_PID" Thread.print -e > "$out.jcmd"
  for task in /proc/"$WHARF_PID"/task/*; do
    printf '%s\t%s\n' "${task##*/}" \
      "$(awk '/^(non)?voluntary_ctxt_switches:/ {s += $2} END {print s + 0}' "$task/status" 2>/dev/null)"
  done > "$out.proc"
  sed 's/.*) //' "/proc/$WHARF_PID/stat" | awk '{print $12 + $13}' > "$out.cpu"
}

measure() {
  # measure LABEL LAUNCHER: starts that build, warms it up, and measures each scenario.
  local label="$1" scenario
  LAUNCHER="$2"
  start_wharf_process "$SCRATCH/data-$label" "$RESULTS/wharf-$label.log"
  # shellcheck disable=SC2046
  perftest "$RESULTS/perftest-$label-warmup.txt" "$WARMUP_MESSAGES" $(scenario_args durable) \
    || log "$label warm-up run failed (see $RESULTS)"
  for scenario in durable transient; do
    snapshot "$RESULTS/$label-$scenario-before"
    # shellcheck disable=SC2046
    perftest "$RESULTS/perftest-$label-$scenario.txt" "$MESSAGES" $(scenario_args "$scenario") \
      || die "$label $scenario: PerfTest failed (see $RESULTS/perftest-$label-$scenario.txt)"
    snapshot "$RESULTS/$label-$scenario-after"
    log "$label $scenario measured"
  done
  stop_pid Wharf "$WHARF_PID"
  WHARF_PID=""
}

LABELS=()
if [ -n "$EARLIER" ]; then
  WORKTREE="$SCRATCH/earlier"
  build_earlier "$EARLIER" "$WORKTREE"
  measure "$EARLIER_SHORT" "$WORKTREE/wharf"
  LABELS+=("$EARLIER_SHORT")
fi
CURRENT="$(git -C "$ROOT" rev-parse --short HEAD)"
if [ -n "$(git -C "$ROOT" status --porcelain -- '*/src/main/*' '*pom.xml')" ]; then CURRENT="$CURRENT+changes"; fi
log "building this checkout"
"$ROOT/wharf" --help > /dev/null
measure "$CURRENT" "$ROOT/wharf"
LABELS+=("$CURRENT")

describe_machine "$SCRATCH"
REPORT="$(python3 - "$RESULTS" "$MESSAGES" "$BODY_BYTES" "$WARMUP_MESSAGES" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$COMMAND" "$CPU, $MEM" \
    "$("$JAVA" -version 2>&1 | head -n 1)" "$(getconf CLK_TCK)" "${LABELS[@]}" <<'PY'
import re, sys, collections
results, messages, body_bytes, warmup, date, command, machine, java, hz, *labels = sys.argv[1:]
body_bytes, warmup = int(body_bytes), int(warmup)
messages, hz = int(messages), int(hz)
UNITS = {"B": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}

def group(name):
    # Threads of one pool share a name up to their number: queue-3 and queue-7 are "queue".
    return re.sub(r"[-#]?\d+$", "", name.strip()) or name

def threads(path):
    # Java threads by native thread id: (name, bytes allocated).
    out = {}
    for line in open(path):
        m = re.match(r'^"(.*?)" .*?allocated=(\d+)([BKMG]).* nid=(\d+)', line)
        if m:
            out[m.group(4)] = (m.group(1), int(m.group(2)) * UNITS[m.group(3)])
    return out

def switches(path):
    return {tid: int(n or 0) for tid, _, n in (line.rstrip("\n").partition("\t") for line in open(path))}

def delta(before, after, names):
    # Per thread group; a thread the JVM does not list (the VM's own) is named by its id's absence.
    by = collections.Counter()
    for tid, v in after.items():
        by[group(names.get(tid, "JVM internal"))] += v - before.get(tid, 0)
    return by

rows = []
detail = []
for label in labels:
    for scenario in ("durable", "transient"):
        b, a = f"{results}/{label}-{scenario}-before", f"{results}/{label}-{scenario}-after"
        tb, ta = threads(b + ".jcmd"), threads(a + ".jcmd")
        names = {tid: name for tid, (name, _) in ta.items()}
        alloc = delta({t: v for t, (_, v) in tb.items()}, {t: v for t, (_, v) in ta.items()}, names)
        sw = delta(switches(b + ".proc"), switches(a + ".proc"), names)
        cpu = (int(open(a + ".cpu").read()) - int(open(b + ".cpu").read())) / hz
        rows.append((label, scenario, cpu * 1e6 / messages, sum(alloc.values()) / messages,
                     sum(sw.values()) / messages))
        top = [(g, alloc[g] / messages, sw[g] / messages) for g in set(alloc) | set(sw)]
        top = [t for t in top if t[1] >= 8 or t[2] >= 0.01]
        top.sort(key=lambda t: -t[1])
        detail.append((label, scenario, top))

print(f"Measured {date} on {machine}, {java}, with `{command}`: {messages:,} messages of {body_bytes:,} bytes "
      f"per scenario after a {warmup:,}-message warm-up. Per message, over the whole broker process:\n")
print("| build | scenario | CPU µs | bytes allocated | thread switches |")
print("|---|---|---:|---:|---:|")
for label, scenario, cpu, alloc, sw in rows:
    print(f"| {label} | {scenario} | {cpu:.1f} | {alloc:,.0f} | {sw:.2f} |")
print("\nThread switches are the voluntary and involuntary context switches of the broker's threads: "
      "handing work to a thread that is parked costs at least one, so they count the hand-offs a "
      "message costs, shared among the messages that travel together.")
print("\nBy thread group (bytes allocated and switches per message; groups under 8 bytes and 0.01 switches left out):\n")
for label, scenario, top in detail:
    print(f"- {label} {scenario}: " + ", ".join(f"`{g}` {a:,.0f} B / {s:.2f}" for g, a, s in top))
PY
)"
echo "$REPORT" > "$RESULTS/report.md"
echo "$REPORT"
if [ "$BODY_BYTES" = 1000 ]; then
  write_doc_section per-message "$(printf '## Per-message cost inside the broker\n\n%s\n' "$REPORT")"
else
  write_doc_section "per-message-$BODY_BYTES" \
    "$(printf '## Per-message cost inside the broker, %s-byte messages\n\n%s\n' "$BODY_BYTES" "$REPORT")"
fi
log "docs/benchmarks.md updated; raw snapshots in $RESULTS"
