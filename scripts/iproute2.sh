#!/usr/bin/env bash
# Makes sure `ip` is installed for the tests that run cluster nodes as separate hosts in network
# namespaces: Debian's `iproute2` package (/bin/ip), installed with apt-get as root or through sudo.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/debian-tools.sh" /bin/ip=iproute2
