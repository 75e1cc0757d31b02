#!/usr/bin/env bash
# Crash soak: the storage crash test (a child JVM appending with fsync always, killed with
# SIGKILL at random moments) for many more cycles than CI runs.
#
# Usage: bench/crash-soak.sh [cycles] [seed]    (default 500 cycles, a fresh seed)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CYCLES="${1:-500}"
SEED_ARG=()
[ -n "${2:-}" ] && SEED_ARG=("-Dwharf.crash.seed=$2")
cd "$ROOT"
./mvnw -B --no-transfer-progress -pl wharf-storage -am -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest=LogCrashTest -Dwharf.crash.cycles="$CYCLES" "${SEED_ARG[@]}" verify
