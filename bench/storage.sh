#!/usr/bin/env bash
# Storage benchmark: append and read throughput of the log, next to the disk's own figure for
# the same write-and-fsync cadence (dd), measured in the same run on the same disk.
# Writes the table, the command and the date into docs/benchmarks.md.
#
# Usage: bench/storage.sh [seconds-per-scenario]    (default 10)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/jdk.sh"
BENCH_NAME=storage.sh
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
JDK="$(wharf_find_jdk 21)"
SECONDS_PER_SCENARIO="${1:-10}"

(cd "$ROOT" && JAVA_HOME="$JDK" ./mvnw -q -B -Pbench -DskipTests -Denforcer.skip package -pl wharf-bench -am)

BENCH="$ROOT/wharf-bench/target"
SCRATCH="$(mktemp -d -p "$BENCH" storage.XXXXXX)"
trap 'rm -rf "$SCRATCH"' EXIT
JAR="$(ls "$BENCH"/wharf-bench-*.jar | head -n 1)"

TABLE="$("$JDK/bin/java" -Xmx2g -cp "$JAR:$BENCH/lib/*" io.wharf.bench.StorageBench "$SCRATCH/data" "$SECONDS_PER_SCENARIO")"

describe_machine "$SCRATCH"
SECTION="$(cat <<MD
## Storage log

Measured $(date -u +%Y-%m-%d) with \`bench/storage.sh $SECONDS_PER_SCENARIO\` on $CPU, $FS file system, Java $("$JDK/bin/java" -version 2>&1 | head -n 1 | cut -d'"' -f2). Each scenario stops after $SECONDS_PER_SCENARIO s or its record count. The dd rows are the disk's own rate, in the same run and directory, for writes of one batch's size each followed by a sync: into a new file, and over a file zero-filled beforehand (the zero-filling not timed). Wharf's preallocation zero-fills ahead of the writer while it runs, so its figure pays for writing those zeros too; the fair comparison is with the new-file row.

$TABLE
MD
)"

write_doc_section storage "$SECTION"
echo "$SECTION"
