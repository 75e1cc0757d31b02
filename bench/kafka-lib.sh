# What the Kafka benchmarks share: Apache Kafka and its tools from Maven Central, a runner for
# its command-line classes, and the figures of its load tools. Sourced after lib.sh, with
# KAFKA_VERSION, LOG4J_VERSION, JAVA and TOOL_JVM_OPTIONS set.

# fetch_kafka DIR: Apache Kafka, its tools and a log4j binding into DIR/libs, and logging
# configurations for the brokers and the tools. Sets KAFKA_HOME.
fetch_kafka() {
  log "fetching Apache Kafka $KAFKA_VERSION and its tools from Maven Central"
  KAFKA_HOME="$1"
  mkdir -p "$KAFKA_HOME"
  fetch_maven_libs "$KAFKA_HOME" "$(cat <<DEPS
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- Kafka logs through SLF4J 1.7; this routes it to Log4j 2. -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
DEPS
)"
  ls "$KAFKA_HOME/libs/kafka_2.13-$KAFKA_VERSION.jar" "$KAFKA_HOME/libs/kafka-tools-$KAFKA_VERSION.jar" >/dev/null ||
    die "Apache Kafka was not fetched"

  # Logging: the broker at INFO to its log file, the tools at WARN next to their output.
  cat > "$KAFKA_HOME/broker-log4j2.properties" <<'LOG4J'
status = warn
appender.out.type = Console
appender.out.name = OUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = OUT
LOG4J
  sed 's/^rootLogger.level = INFO$/rootLogger.level = WARN/' "$KAFKA_HOME/broker-log4j2.properties" \
    > "$KAFKA_HOME/tools-log4j2.properties"
}

kafka_class() {
  # kafka_class LIMIT-SECONDS CLASS ARGS...: runs one of Kafka's command-line classes, bounded in
  # time, with an English locale so that its figures print with a decimal point.
  local limit="$1"; shift
  # shellcheck disable=SC2086
  (cd "$KAFKA_HOME" && timeout -k 10 "$limit" "$JAVA" $TOOL_JVM_OPTIONS -Duser.language=en -Duser.country=US \
      -Dlog4j2.configurationFile="$KAFKA_HOME/tools-log4j2.properties" -cp 'libs/*' "$@")
}

# The producer's summary line: "N records sent, R records/sec (M MB/sec), A ms avg latency, ...,
# P ms 99th, ...". Prints "records/s MB/s avg p99 sent", tab-separated, or nothing.
producer_figures() {
  grep -E 'records sent, .* ms 99th' "$1" | tail -n 1 | sed -E \
    's/^([0-9]+) records sent, ([0-9.]+) records\/sec \(([0-9.]+) MB\/sec\), ([0-9.]+) ms avg latency, .* ([0-9.]+) ms 99th, .*/\2\t\3\t\4\t\5\t\1/' |
    grep -E '^[0-9.]+	[0-9.]+	[0-9.]+	[0-9.]+	[0-9]+$' || true
}

# ConsumerPerformance's CSV: a header line naming the columns, then one line of figures. Prints
# "MB/s records/s records rebalance-ms fetch-MB/s", tab-separated, or nothing.
consumer_figures() {
  awk -F', *' '
    /^start\.time, *end\.time/ { for (i = 1; i <= NF; i++) col[$i] = i; header = 1; next }
    header && NF >= 6 { line = $0; split(line, f, /, */) }
    END {
      if (line == "" || !("MB.sec" in col) || !("nMsg.sec" in col) || !("data.consumed.in.nMsg" in col)) exit
      printf "%s\t%s\t%s\t%s\t%s\n", f[col["MB.sec"]], f[col["nMsg.sec"]], f[col["data.consumed.in.nMsg"]],
        ("rebalance.time.ms" in col) ? f[col["rebalance.time.ms"]] : "", ("fetch.MB.sec" in col) ? f[col["fetch.MB.sec"]] : ""
    }' "$1"
}
