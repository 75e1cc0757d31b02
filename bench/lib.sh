# shellcheck shell=bash
# Shared by the benchmark scripts in bench/: logging, ports, stopping the processes a script
# started, CPU accounting, the machine's description, and writing a script's own section of
# docs/benchmarks.md. A script sets BENCH_NAME before sourcing this file.

log() { echo "$BENCH_NAME: $*" >&2; }
die() { echo "$BENCH_NAME: $*" >&2; exit 1; }

port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

# stop_pid NAME PID: SIGTERM, up to 60 s for a clean shutdown, then SIGKILL; that PID only.
stop_pid() {
  local name="$1" pid="$2"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "$name (PID $pid) did not stop within 60 s of SIGTERM; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

# start_wharf_process DATA_DIR LOG [VAR=VALUE...]: starts Wharf through ./wharf (or the launcher
# LAUNCHER names, e.g. another checkout's) with its default JVM options, every listener on
# loopback, and waits for /health (on WHARF_HTTP_PORT if given, else 15672). Sets WHARF_PID.
start_wharf_process() {
  local data="$1" out="$2" http=15672 setting
  shift 2
  # A node of a cluster on one machine has an HTTP port of its own.
  for setting in "$@"; do
    case "$setting" in WHARF_HTTP_PORT=*) http="${setting#WHARF_HTTP_PORT=}" ;; esac
  done
  rm -rf "$data"
  env JAVA_OPTS='' WHARF_AMQP_HOST=127.0.0.1 WHARF_HTTP_HOST=127.0.0.1 WHARF_KAFKA_HOST=127.0.0.1 WHARF_MQTT_HOST=127.0.0.1 WHARF_STOMP_HOST=127.0.0.1 "$@" \
    "${LAUNCHER:-$ROOT/wharf}" --data-dir "$data" > "$out" 2>&1 &
  WHARF_PID=$!
  for _ in $(seq 120); do
    curl -fs "http://127.0.0.1:$http/health" >/dev/null 2>&1 && return 0
    kill -0 "$WHARF_PID" 2>/dev/null || { tail -n 20 "$out" >&2; die "Wharf exited during start-up"; }
    sleep 0.5
  done
  die "Wharf did not answer /health on port $http within 60 s"
}

# CPU accounting for one run, in clock ticks: the whole machine (busy and total), the broker
# process (BROKER_PID), and this script's reaped children (the load tools). What is left of the
# busy ticks is other work on the machine, which a benchmark does not control and reports.
cpu_snapshot() {
  local machine broker=0 children
  machine="$(awk '/^cpu / {busy = $2 + $3 + $4 + $7 + $8 + $9; print busy, busy + $5 + $6}' /proc/stat)"
  if [ -n "${BROKER_PID:-}" ] && [ -r "/proc/$BROKER_PID/stat" ]; then
    broker="$(sed 's/.*) //' "/proc/$BROKER_PID/stat" | awk '{print $12 + $13}')"
  fi
  children="$(sed 's/.*) //' "/proc/$$/stat" | awk '{print $14 + $15}')"
  echo "$machine $broker $children"
}

# cpu_share BEFORE AFTER: prints the broker's and other processes' share of the machine's CPU, in %.
cpu_share() {
  # shellcheck disable=SC2086
  set -- $1 $2
  awk -v b0="$1" -v t0="$2" -v k0="$3" -v c0="$4" -v b1="$5" -v t1="$6" -v k1="$7" -v c1="$8" 'BEGIN {
    total = t1 - t0; if (total <= 0) { print "\t"; exit }
    other = (b1 - b0) - (k1 - k0) - (c1 - c0); if (other < 0) other = 0
    printf "%.0f\t%.0f\n", 100 * (k1 - k0) / total, 100 * other / total }'
}

# describe_machine DIR: sets CPU, MEM and FS (the file system DIR is on) for the report.
# shellcheck disable=SC2034  # read by the scripts that source this file
describe_machine() {
  CPU="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') ($(nproc) cores)"
  MEM="$(awk '/^MemTotal:/ {printf "%.0f GiB RAM", $2 / 1048576}' /proc/meminfo)"
  FS="$(df -T "$1" | awk 'NR==2 {print $2}')"
}

# write_doc_section NAME TEXT: replaces the text between <!-- NAME:start --> and <!-- NAME:end -->
# in docs/benchmarks.md, or appends it there with its markers.
write_doc_section() {
  python3 - "$ROOT/docs/benchmarks.md" "$1" "$2" <<'PY'
import sys, re, os
path, name, section = sys.argv[1], sys.argv[2], sys.argv[3]
start, end = "<!-- %s:start -->" % name, "<!-- %s:end -->" % name
text = open(path).read() if os.path.exists(path) else "# Benchmarks\n"
block = start + "\n" + section.strip() + "\n" + end
if start in text:
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda m: block, text, flags=re.S)
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path, "w").write(text)
PY
}

# fetch_maven_libs DIR DEPENDENCY_XML: copies the given Maven Central artifacts and everything they
# depend on into DIR/libs, through a throwaway POM in DIR and the project's Maven wrapper.
fetch_maven_libs() {
  local dir="$1" deps="$2"
  mkdir -p "$dir"
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>bench</groupId>
  <artifactId>tools-fetch</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
$deps
  </dependencies>
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-dependency-plugin</artifactId>
        <version>3.8.1</version>
        <executions>
          <execution>
            <id>copy</id>
            <phase>package</phase>
            <goals><goal>copy-dependencies</goal></goals>
            <configuration><outputDirectory>\${project.basedir}/libs</outputDirectory></configuration>
          </execution>
        </executions>
      </plugin>
    </plugins>
  </build>
</project>
POM
  (cd "$ROOT" && JAVA_HOME="$JDK" ./mvnw -q -B -f "$dir/pom.xml" package) >&2
}

# fetch_perftest DIR VERSION: RabbitMQ's load tool PerfTest and its libraries into DIR/libs.
fetch_perftest() {
  log "fetching PerfTest $2 from Maven Central"
  fetch_maven_libs "$1" "    <dependency>
      <groupId>com.rabbitmq</groupId>
      <artifactId>perf-test</artifactId>
      <version>$2</version>
    </dependency>"
  ls "$1/libs"/perf-test-*.jar >/dev/null || die "PerfTest was not fetched"
}

# use_root_or_sudo WHY: sets SUDO to the prefix that runs a command as root (empty when this
# script is root already), or stops saying WHY root is needed.
use_root_or_sudo() {
  if [ "$(id -u)" -eq 0 ]; then
    SUDO=()
  elif command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    die "needs root or sudo: $1"
  fi
}

# install_debian_package PACKAGE: installs it with apt-get (refreshing the package lists once if
# the first try fails) without letting its service start, by the Debian convention of a
# policy-rc.d that denies it for the duration.
install_debian_package() {
  local pkg="$1" policy_created="" rc=0
  log "installing $pkg from the Debian package"
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    policy_created=1
  fi
  if ! { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2 ||
         { "${SUDO[@]}" apt-get update -q >&2 &&
           "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$pkg" >&2; }; }; then
    rc=1
  fi
  if [ -n "$policy_created" ]; then "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d; fi
  return $rc
}

# build_earlier COMMIT DIR: checks COMMIT out into a temporary worktree at DIR and builds it
# through its own launcher (DIR/wharf), for a run that measures it beside this checkout. Sets
# EARLIER_SHORT to its short hash. The caller removes the worktree (remove_earlier DIR).
build_earlier() {
  EARLIER_SHORT="$(git -C "$ROOT" rev-parse --short "$1^{commit}")" || die "no commit $1"
  git -C "$ROOT" worktree add --detach "$2" "$EARLIER_SHORT" >/dev/null 2>&1 || die "cannot check $EARLIER_SHORT out into $2"
  log "building $EARLIER_SHORT"
  "$2/wharf" --help > /dev/null
}

remove_earlier() {
  git -C "$ROOT" worktree remove --force "$1" >/dev/null 2>&1 || true
}
