package io.wharf.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.wharf.cluster.ClusterMember;
import io.wharf.core.stream.StreamConfigs;
import io.wharf.core.stream.StreamDefinition;
import io.wharf.storage.log.FsyncPolicy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds a {@link WharfConfig} from, in rising precedence: the built-in defaults, one YAML file,
 * {@code WHARF_*} environment variables, and explicit overrides (command-line flags, the embedded
 * builder). Every problem is collected and reported together, each naming its key, its value and
 * where the value came from. A key that is not one of Wharf's, in the file or the environment, is
 * an error: a typo must not be silently ignored.
 */
public final class ConfigLoader {

    /** MQTT's remaining-length field stops one byte short of 256 MiB. */
    private static final int MQTT_LARGEST_PACKET = 268_435_455;
    static final String ENV_PREFIX = "WHARF_";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Set<String> LEVELS = Set.of("trace", "debug", "info", "warn", "error", "off");

    private final ObjectNode tree = defaults();
    private final Map<String, String> origins = new HashMap<>();
    private final List<String> problems = new ArrayList<>();

    private ConfigLoader() {
    }

    /**
     * Loads and validates the configuration.
     *
     * @param file      a YAML file, or null for none
     * @param env       the process environment; only {@code WHARF_*} variables are read
     * @param overrides dotted keys to values, applied last
     * @throws ConfigException listing every problem found
     */
    public static WharfConfig load(Path file, Map<String, String> env, Map<String, String> overrides) throws ConfigException {
        ConfigLoader l = new ConfigLoader();
        if (file != null) {
            l.mergeFile(file);
        }
        l.applyEnvironment(env);
        overrides.forEach((k, v) -> l.set(k, v, "override " + k));
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        WharfConfig config = l.bind();
        if (!l.problems.isEmpty()) {
            throw new ConfigException(l.problems);
        }
        return config;
    }

    /** Every key with its default value, in file order. */
    public static Map<String, String> defaultValues() {
        Map<String, String> out = new LinkedHashMap<>();
        flatten("", defaults(), out);
        return out;
    }

    /** The environment variable that sets {@code key}. */
    public static String environmentVariable(String key) {
        return ENV_PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static ObjectNode defaults() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in configuration defaults are missing", e);
        }
    }

    private static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            if (e.getValue().isObject()) {
                flatten(key + ".", e.getValue(), out);
            } else if (e.getValue().isArray()) {
                out.put(key, e.getValue().toString());
            } else {
                out.put(key, e.getValue().asText());
            }
        }
    }

    private void mergeFile(Path file) {
        JsonNode user;
        try {
            user = YAML.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            problems.add("configuration file " + file + " does not exist");
            return;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? ""
                    : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
            problems.add("configuration file " + file + " is not valid YAML" + where + ": " + e.getOriginalMessage());
            return;
        } catch (IOException e) {
            problems.add("configuration file " + file + " cannot be read: " + e.getMessage());
            return;
        }
        if (user == null || user.isMissingNode() || user.isNull()) {
            return;
        }
        if (!user.isObject()) {
            problems.add("configuration file " + file + " must hold a mapping of keys to values, not a " + user.getNodeType().name().toLowerCase(Locale.ROOT));
            return;
        }
        merge("", tree, (ObjectNode) user, "file " + file);
    }

    private void merge(String prefix, ObjectNode target, ObjectNode source, String origin) {
        Iterator<Map.Entry<String, JsonNode>> it = source.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = prefix + e.getKey();
            JsonNode known = target.get(e.getKey());
            if (known == null) {
                problems.add("unknown key '" + key + "' in " + origin + suggestion(target, e.getKey(), prefix));
            } else if (known.isObject()) {
                if (e.getValue().isObject()) {
                    merge(key + ".", (ObjectNode) known, (ObjectNode) e.getValue(), origin);
                } else {
                    problems.add("'" + key + "' in " + origin + " must be a section with the keys " + fieldNames(known));
                }
            } else if (known.isArray()) {
                if (e.getValue().isArray()) {
                    target.set(e.getKey(), e.getValue());
                    origins.put(key, origin);
                } else {
                    problems.add("'" + key + "' in " + origin + " must be a list");
                }
            } else if (e.getValue().isContainerNode()) {
                problems.add("'" + key + "' in " + origin + " must be a single value, not a " + (e.getValue().isArray() ? "list" : "section"));
            } else {
                target.set(e.getKey(), e.getValue());
                origins.put(key, origin);
            }
        }
    }

    private void applyEnvironment(Map<String, String> env) {
        Map<String, String> byVariable = new HashMap<>();
        for (String key : defaultValues().keySet()) {
            byVariable.put(environmentVariable(key), key);
        }
        env.forEach((name, value) -> {
            if (!name.startsWith(ENV_PREFIX)) {
                return;
            }
            String key = byVariable.get(name);
            if (key == null) {
                problems.add("unknown environment variable " + name + ": it sets no configuration key (known: "
                        + String.join(", ", new java.util.TreeSet<>(byVariable.keySet())) + ")");
            } else {
                set(key, value, "environment variable " + name);
            }
        });
    }

    private void set(String key, String value, String origin) {
        String[] parts = key.split("\\.");
        JsonNode node = tree;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.get(parts[i]);
            if (node == null || !node.isObject()) {
                problems.add("unknown key '" + key + "' in " + origin);
                return;
            }
        }
        ObjectNode parent = (ObjectNode) node;
        String last = parts[parts.length - 1];
        JsonNode known = parent.get(last);
        if (known == null || known.isObject()) {
            problems.add("unknown key '" + key + "' in " + origin
                    + (known == null ? suggestion(parent, last, key.substring(0, key.length() - last.length())) : ""));
            return;
        }
        if (known.isArray()) {
            // A list from the environment or an override is written in YAML flow style: [a, b].
            try {
                JsonNode parsed = YAML.readTree(value);
                if (parsed == null || !parsed.isArray()) {
                    problems.add("'" + key + "' in " + origin + " must be a list, such as [a, b]");
                    return;
                }
                parent.set(last, parsed);
            } catch (JsonProcessingException e) {
                problems.add("'" + key + "' in " + origin + " is not a valid YAML list: " + e.getOriginalMessage());
                return;
            }
        } else {
            parent.set(last, TextNode.valueOf(value));
        }
        origins.put(key, origin);
    }

    private WharfConfig bind() {
        Path dataDir = Path.of(string("data-dir"));
        WharfConfig.StorageConfig storage = new WharfConfig.StorageConfig(
                parsed("storage.fsync", FsyncPolicy::parse, FsyncPolicy.ALWAYS),
                integer("storage.writer-threads", 1, 256),
                size("storage.segment-size", 1L << 20, (1L << 31) - 1),
                duration("storage.segment-age", Duration.ofSeconds(1)),
                size("storage.index-interval", 0, 1L << 30),
                bool("storage.preallocate"),
                duration("storage.retention-check-interval", Duration.ofMillis(100)),
                duration("storage.scrub-interval", Duration.ZERO),
                size("storage.scrub-rate", 1L << 20, 1L << 40));
        WharfConfig.QueuesConfig queues = new WharfConfig.QueuesConfig(
                size("queues.segment-size", 1L << 20, (1L << 31) - 1),
                size("queues.memory-cache", 0, 1L << 40));
        WharfConfig.AmqpConfig amqp = new WharfConfig.AmqpConfig(
                bool("amqp.enabled"),
                string("amqp.host"),
                integer("amqp.port", 0, 65535),
                (int) size("amqp.frame-max", 4096, 1L << 30).bytes(),
                integer("amqp.channel-max", 1, 65535),
                duration("amqp.heartbeat", Duration.ZERO),
                size("amqp.max-message-size", 1, 512L << 20).bytes(),
                duration("amqp.handshake-timeout", Duration.ofMillis(100)));
        WharfConfig.HttpConfig http = new WharfConfig.HttpConfig(string("http.host"), integer("http.port", 0, 65535));
        List<String> vhosts = vhosts();
        WharfConfig.KafkaConfig kafka = new WharfConfig.KafkaConfig(
                bool("kafka.enabled"),
                string("kafka.host"),
                integer("kafka.port", 0, 65535),
                optionalString("kafka.advertised-host"),
                integer("kafka.advertised-port", 0, 65535),
                bool("kafka.auto-create-topics"),
                integer("kafka.default-partitions", 1, 100_000),
                (int) size("kafka.max-request-size", 1024, Integer.MAX_VALUE).bytes(),
                string("kafka.vhost"),
                optionalString("kafka.anonymous-user"));
        if (kafka.enabled() && !vhosts.contains(kafka.vhost())) {
            problem("kafka.vhost", "must be one of the virtual hosts " + vhosts);
        }
        WharfConfig.MqttConfig mqtt = new WharfConfig.MqttConfig(
                bool("mqtt.enabled"),
                string("mqtt.host"),
                integer("mqtt.port", 0, 65535),
                string("mqtt.vhost"),
                (int) Math.min(size("mqtt.max-packet-size", 1024, 256L << 20).bytes(), MQTT_LARGEST_PACKET),
                optionalString("mqtt.anonymous-user"),
                integer("mqtt.max-inflight", 1, 65535),
                integer("mqtt.max-backlog", 0, Integer.MAX_VALUE),
                bool("mqtt.websocket-enabled"),
                integer("mqtt.websocket-port", 0, 65535));
        if (mqtt.enabled() && !vhosts.contains(mqtt.vhost())) {
            problem("mqtt.vhost", "must be one of the virtual hosts " + vhosts);
        }
        WharfConfig.StompConfig stomp = new WharfConfig.StompConfig(
                bool("stomp.enabled"),
                string("stomp.host"),
                integer("stomp.port", 0, 65535),
                string("stomp.default-vhost"),
                (int) size("stomp.max-frame-size", 1024, 512L << 20).bytes(),
                duration("stomp.heartbeat", Duration.ZERO),
                optionalString("stomp.anonymous-user"),
                bool("stomp.websocket-enabled"),
                integer("stomp.websocket-port", 0, 65535));
        if (stomp.enabled() && !vhosts.contains(stomp.defaultVhost())) {
            problem("stomp.default-vhost", "must be one of the virtual hosts " + vhosts);
        }
        List<WharfConfig.UserConfig> users = users(vhosts);
        List<WharfConfig.StreamConfig> streams = streams(vhosts);
        WharfConfig.ClusterConfig cluster = cluster();
        WharfConfig.AlarmsConfig alarms = new WharfConfig.AlarmsConfig(
                fraction("alarms.memory-high-watermark"),
                size("alarms.disk-free-limit", 0, Long.MAX_VALUE).bytes());
        String level = string("logging.level").toLowerCase(Locale.ROOT);
        if (!LEVELS.contains(level)) {
            problem("logging.level", "must be one of " + String.join(", ", new java.util.TreeSet<>(LEVELS)));
        }
        return new WharfConfig(dataDir, storage, queues, amqp, kafka, mqtt, stomp, http, vhosts, users, streams, cluster, alarms,
                new WharfConfig.LoggingConfig(level));
    }

    private WharfConfig.ClusterConfig cluster() {
        String nodeId = optionalString("cluster.node-id");
        int port = integer("cluster.port", 0, 65535);
        int replicationFactor = integer("cluster.replication-factor", 0, 7);
        int dataGroups = integer("cluster.data-groups", 0, 256);
        List<ClusterMember> members = new ArrayList<>();
        int problemsBefore = problems.size();
        JsonNode list = node("cluster.members");
        for (int i = 0; i < list.size(); i++) {
            try {
                ClusterMember m = ClusterMember.parse(list.get(i).asText());
                if (members.stream().anyMatch(other -> other.id().equals(m.id()))) {
                    problem("cluster.members", "names node '" + m.id() + "' twice");
                } else {
                    members.add(m);
                }
            } catch (IllegalArgumentException e) {
                problem("cluster.members", "entry " + i + ": " + e.getMessage());
            }
        }
        if (members.isEmpty()) {
            if (!nodeId.isEmpty() || port != 0) {
                problem("cluster.members", "must list every member of the cluster (id@host:port) when cluster.node-id or"
                        + " cluster.port is set");
            }
            return new WharfConfig.ClusterConfig(nodeId, List.of(), replicationFactor, dataGroups);
        }
        if (problems.size() > problemsBefore) {
            // Whether this node is a member cannot be told from a list that could not be read.
            return new WharfConfig.ClusterConfig(nodeId, members, replicationFactor, dataGroups);
        }
        ClusterMember self = members.stream().filter(m -> m.id().equals(nodeId)).findFirst().orElse(null);
        if (self == null) {
            problem("cluster.node-id", "must be one of the members' ids " + members.stream().map(ClusterMember::id).toList());
        } else if (port != 0 && port != self.port()) {
            problem("cluster.port", "differs from the port cluster.members gives node '" + nodeId + "' (" + self.port() + ")");
        }
        return new WharfConfig.ClusterConfig(nodeId, members, replicationFactor, dataGroups);
    }

    private List<String> vhosts() {
        List<String> out = new ArrayList<>();
        JsonNode list = node("vhosts");
        for (int i = 0; i < list.size(); i++) {
            JsonNode v = list.get(i);
            if (!v.isTextual() || v.asText().isEmpty()) {
                problem("vhosts", "entry " + i + " must be a non-empty name");
            } else if (out.contains(v.asText())) {
                problem("vhosts", "names '" + v.asText() + "' twice");
            } else {
                out.add(v.asText());
            }
        }
        if (out.isEmpty() && problems.isEmpty()) {
            problem("vhosts", "must name at least one virtual host");
        }
        return out;
    }

    private static final Set<String> USER_KEYS = Set.of("name", "password", "tags", "loopback-only", "permissions");
    private static final Set<String> PERMISSION_KEYS = Set.of("configure", "write", "read");

    private List<WharfConfig.UserConfig> users(List<String> vhosts) {
        Set<String> names = new java.util.HashSet<>();
        return entries("users", USER_KEYS, (at, u) -> {
            String name = u.path("name").asText("");
            String password = u.path("password").asText("");
            if (name.isEmpty() || password.isEmpty()) {
                problem("users", at + " needs a name and a password");
                return null;
            }
            if (!names.add(name)) {
                problem("users", "user '" + name + "' is defined twice");
            }
            List<String> tags = new ArrayList<>();
            u.path("tags").forEach(t -> tags.add(t.asText()));
            boolean loopbackOnly = u.path("loopback-only").asBoolean(false);
            Map<String, WharfConfig.PermissionConfig> permissions = new LinkedHashMap<>();
            JsonNode perms = u.path("permissions");
            perms.fieldNames().forEachRemaining(vhost -> {
                JsonNode p = perms.get(vhost);
                if (!vhosts.contains(vhost)) {
                    problem("users", at + ".permissions names vhost '" + vhost + "', which is not in vhosts " + vhosts);
                }
                p.fieldNames().forEachRemaining(f -> {
                    if (!PERMISSION_KEYS.contains(f)) {
                        problem("users", "unknown key '" + at + ".permissions." + vhost + "." + f + "'; use configure, write and read");
                    }
                });
                String configure = p.path("configure").asText("");
                String write = p.path("write").asText("");
                String read = p.path("read").asText("");
                for (String regex : List.of(configure, write, read)) {
                    try {
                        java.util.regex.Pattern.compile(regex);
                    } catch (java.util.regex.PatternSyntaxException e) {
                        problem("users", at + ".permissions." + vhost + " has an invalid regular expression: " + e.getDescription());
                    }
                }
                permissions.put(vhost, new WharfConfig.PermissionConfig(configure, write, read));
            });
            return new WharfConfig.UserConfig(name, password, tags, loopbackOnly, permissions);
        });
    }

    /**
     * Reads list {@code key}, each entry a section with some of the keys {@code known}, through
     * {@code parse} (given where the entry is, such as {@code users[2]}, and the entry). An entry
     * that is not a section, or that {@code parse} reports and answers null for, is left out.
     */
    private <T> List<T> entries(String key, Set<String> known, java.util.function.BiFunction<String, JsonNode, T> parse) {
        List<T> out = new ArrayList<>();
        JsonNode list = node(key);
        for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            JsonNode entry = list.get(i);
            if (!entry.isObject()) {
                problem(key, at + " must be a section with some of the keys " + String.join(", ", new java.util.TreeSet<>(known)));
                continue;
            }
            checkKeys(key, at, entry, known);
            T parsed = parse.apply(at, entry);
            if (parsed != null) {
                out.add(parsed);
            }
        }
        return out;
    }

    /** Reports every key of the list entry {@code entry} (at {@code at} in list {@code key}) that is not one of {@code known}. */
    private void checkKeys(String key, String at, JsonNode entry, Set<String> known) {
        entry.fieldNames().forEachRemaining(f -> {
            if (!known.contains(f)) {
                problem(key, "unknown key '" + at + "." + f + "'; known keys: " + String.join(", ", new java.util.TreeSet<>(known)));
            }
        });
    }

    private static final Set<String> STREAM_KEYS = Set.of("name", "vhost", "partitions", "retention-age", "retention-size",
            "segment-size", "delete");

    private List<WharfConfig.StreamConfig> streams(List<String> vhosts) {
        Set<String> declared = new java.util.HashSet<>();
        return entries("streams", STREAM_KEYS, (at, s) -> {
            String name = s.path("name").asText("");
            String vhost = s.path("vhost").asText("/");
            if (name.isEmpty()) {
                problem("streams", at + " needs a name");
                return null;
            }
            if (!vhosts.contains(vhost)) {
                problem("streams", at + " names vhost '" + vhost + "', which is not in vhosts " + vhosts);
            }
            if (!declared.add(vhost + "/" + name)) {
                problem("streams", "stream '" + name + "' in vhost '" + vhost + "' is declared twice");
            }
            int partitions = 1;
            if (s.has("partitions")) {
                try {
                    partitions = Integer.parseInt(s.get("partitions").asText().trim());
                } catch (NumberFormatException e) {
                    partitions = 0;
                }
                if (partitions < 1 || partitions > StreamDefinition.MAX_PARTITIONS) {
                    problem("streams", at + ".partitions must be a whole number from 1 to " + StreamDefinition.MAX_PARTITIONS);
                }
            }
            Map<String, String> configs = new LinkedHashMap<>();
            streamSetting(s, at, "retention-age", StreamConfigs.RETENTION_MS, v -> Durations.parse(v).toMillis(), configs);
            streamSetting(s, at, "retention-size", StreamConfigs.RETENTION_BYTES, v -> ByteSize.parse(v).bytes(), configs);
            streamSetting(s, at, "segment-size", StreamConfigs.SEGMENT_BYTES, v -> ByteSize.parse(v).bytes(), configs);
            JsonNode delete = s.path("delete");
            if (!delete.isMissingNode() && !delete.isBoolean()) {
                problem("streams", at + ".delete must be true or false");
            }
            return new WharfConfig.StreamConfig(vhost, name, partitions, configs, delete.asBoolean(false));
        });
    }

    /** Reads one of a declared stream's settings into {@code configs} under its Kafka name, checked as a topic's would be. */
    private void streamSetting(JsonNode stream, String at, String key, String kafkaName, Function<String, Long> parser,
                               Map<String, String> configs) {
        if (!stream.has(key)) {
            return;
        }
        String value;
        try {
            value = String.valueOf(parser.apply(stream.get(key).asText()));
        } catch (IllegalArgumentException | ArithmeticException e) {
            problem("streams", at + "." + key + " is invalid: " + e.getMessage());
            return;
        }
        String invalid = StreamConfigs.problem(kafkaName, value);
        if (invalid != null) {
            problem("streams", at + "." + key + ": " + invalid);
            return;
        }
        configs.put(kafkaName, value);
    }

    private double fraction(String key) {
        JsonNode n = node(key);
        try {
            double v = n.isNumber() ? n.asDouble() : Double.parseDouble(n.asText().trim());
            if (v > 0 && v <= 1) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        problem(key, "must be a fraction greater than 0 and at most 1, such as 0.9");
        return 1;
    }

    private JsonNode node(String key) {
        JsonNode n = tree;
        for (String p : key.split("\\.")) {
            n = n.get(p);
        }
        return n;
    }

    private void problem(String key, String what) {
        String origin = origins.getOrDefault(key, "the defaults");
        JsonNode n = node(key);
        // A list is not repeated in the message: it may hold passwords.
        String shown = n.isContainerNode() ? "" : " = '" + n.asText() + "'";
        problems.add(key + shown + " (from " + origin + ") " + what);
    }

    private String string(String key) {
        JsonNode n = node(key);
        if (n.isNull() || n.asText().isBlank()) {
            problem(key, "must not be empty");
            return "";
        }
        return n.asText();
    }

    /** A string that may be empty; only a non-text value is a problem. */
    private String optionalString(String key) {
        JsonNode n = node(key);
        if (n.isNull()) {
            return "";
        }
        if (!n.isValueNode()) {
            problem(key, "must be a string");
            return "";
        }
        return n.asText();
    }

    private int integer(String key, int min, int max) {
        JsonNode n = node(key);
        long v;
        if (n.isIntegralNumber()) {
            v = n.asLong();
        } else {
            try {
                v = Long.parseLong(n.asText().trim());
            } catch (NumberFormatException e) {
                problem(key, "must be a whole number");
                return min;
            }
        }
        if (v < min || v > max) {
            problem(key, "must be between " + min + " and " + max);
            return min;
        }
        return (int) v;
    }

    private boolean bool(String key) {
        JsonNode n = node(key);
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        String t = n.asText().trim().toLowerCase(Locale.ROOT);
        if (t.equals("true") || t.equals("false")) {
            return Boolean.parseBoolean(t);
        }
        problem(key, "must be true or false");
        return false;
    }

    private ByteSize size(String key, long min, long max) {
        ByteSize s = parsed(key, ByteSize::parse, new ByteSize(min));
        if (s.bytes() < min || s.bytes() > max) {
            problem(key, "must be between " + new ByteSize(min) + " and " + new ByteSize(max) + " bytes");
            return new ByteSize(min);
        }
        return s;
    }

    private Duration duration(String key, Duration min) {
        Duration d = parsed(key, Durations::parse, min);
        if (d.compareTo(min) < 0) {
            problem(key, "must be at least " + Durations.format(min));
            return min;
        }
        return d;
    }

    private <T> T parsed(String key, Function<String, T> parser, T fallback) {
        JsonNode n = node(key);
        if (!n.isValueNode() || n.isNull()) {
            problem(key, "must be a single value");
            return fallback;
        }
        try {
            return parser.apply(n.asText());
        } catch (IllegalArgumentException | ArithmeticException e) {
            problem(key, "is invalid: " + e.getMessage());
            return fallback;
        }
    }

    private static String fieldNames(JsonNode section) {
        List<String> names = new ArrayList<>();
        section.fieldNames().forEachRemaining(names::add);
        return String.join(", ", names);
    }

    /** " (did you mean 'x'?)" when a known sibling key is close to the unknown one. */
    private static String suggestion(JsonNode section, String unknown, String prefix) {
        String best = null;
        int bestDistance = 3;
        Iterator<String> names = section.fieldNames();
        while (names.hasNext()) {
            String candidate = names.next();
            int d = distance(unknown.toLowerCase(Locale.ROOT), candidate);
            if (d < bestDistance) {
                bestDistance = d;
                best = candidate;
            }
        }
        return best == null ? "; known keys here: " + fieldNames(section) : " (did you mean '" + prefix + best + "'?)";
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
