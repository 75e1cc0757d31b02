#!/usr/bin/env bash
# Makes sure kcat is installed for the tests that drive the Kafka endpoint with librdkafka, the C
# client most non-Java Kafka clients are built on: Debian's `kcat` package (/usr/bin/kcat),
# installed with apt-get as root or through sudo.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/debian-tools.sh" /usr/bin/kcat=kcat
