#!/usr/bin/env bash
# Makes sure KafkaJS, the Node.js Kafka client, is ready for the tests that drive the Kafka endpoint
# with it: Node.js and npm from Debian's packages (installed with apt-get as root or through sudo),
# then KafkaJS from npm into wharf-integration-tests/target/kafkajs.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKAJS_VERSION=2.2.4
DIR="$HERE/../wharf-integration-tests/target/kafkajs"

"$HERE/debian-tools.sh" /usr/bin/node=nodejs /usr/bin/npm=npm
if [ ! -f "$DIR/node_modules/kafkajs/package.json" ]; then
  mkdir -p "$DIR"
  echo "kafkajs.sh: installing kafkajs $KAFKAJS_VERSION from npm into $DIR" >&2
  npm install --prefix "$DIR" --no-audit --no-fund --no-save "kafkajs@$KAFKAJS_VERSION" >&2 \
    || { echo "kafkajs.sh: npm install kafkajs@$KAFKAJS_VERSION failed" >&2; exit 1; }
fi
