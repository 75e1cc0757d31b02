#!/usr/bin/env bash
# Makes sure kafka-python, the pure-Python Kafka client, is installed for the tests that drive the
# Kafka endpoint with it: Debian's `python3-kafka` package, installed with apt-get as root or
# through sudo.
set -euo pipefail
"$(dirname "${BASH_SOURCE[0]}")/debian-tools.sh" /usr/bin/python3=python3 \
  /usr/lib/python3/dist-packages/kafka/__init__.py=python3-kafka
