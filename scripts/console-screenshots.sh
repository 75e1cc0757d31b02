#!/usr/bin/env bash
# Makes the console's pictures in docs/images (console-*.png): runs ConsoleTourTest, which keeps
# an embedded broker busy with AMQP, Kafka and MQTT clients, drives the console in headless
# Chromium and saves a PNG of each page. Extra arguments go to Maven (for example -o).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
scripts/browser.sh
./mvnw -B -q verify -pl wharf-integration-tests -am \
  -Dtest=ConsoleTourTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dwharf.console.screenshots="$root/docs/images" "$@"
ls -l "$root"/docs/images/console-*.png
