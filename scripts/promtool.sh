#!/usr/bin/env bash
# Makes sure promtool is installed for the test that lints /metrics as Prometheus does: Debian's
# `prometheus` package ships it (/usr/bin/promtool), installed with apt-get as root or through sudo.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/debian-tools.sh" /usr/bin/promtool=prometheus
