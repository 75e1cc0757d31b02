package io.wharf.protocol.mqtt;

/**
 * MQTT topic names and filters, and how they map onto the topic exchange, as RabbitMQ's MQTT
 * plugin maps them: levels are separated by {@code /} in MQTT and by {@code .} in routing keys,
 * so the two characters swap places; the single-level wildcard {@code +} becomes {@code *}, and
 * {@code #} stays.
 */
final class MqttTopics {

    private static final int MAX_BYTES = 65_535;

    private MqttTopics() {
    }

    /** Why {@code topic} cannot be published to, or null if it can. */
    static String topicNameProblem(String topic) {
        if (topic == null || topic.isEmpty()) {
            return "a topic name must not be empty";
        }
        if (topic.indexOf('+') >= 0 || topic.indexOf('#') >= 0) {
            return "a topic name must not contain wildcards: '" + topic + "'";
        }
        return commonProblem(topic);
    }

    /** Why {@code filter} cannot be subscribed to, or null if it can. */
    static String filterProblem(String filter) {
        if (filter == null || filter.isEmpty()) {
            return "a topic filter must not be empty";
        }
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            String level = levels[i];
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "'#' must be a whole level and the last one: '" + filter + "'";
            }
            if (level.contains("+") && !level.equals("+")) {
                return "'+' must be a whole level: '" + filter + "'";
            }
        }
        return commonProblem(filter);
    }

    private static String commonProblem(String s) {
        if (s.indexOf('\0') >= 0) {
            return "a topic must not contain the null character";
        }
        if (s.length() * 3 > MAX_BYTES && s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_BYTES) {
            return "a topic is at most 65535 bytes";
        }
        return null;
    }

    /** The routing key an MQTT topic is published with. */
    static String toRoutingKey(String topic) {
        return swapSeparators(topic);
    }

    /** The MQTT topic of a message routed with {@code routingKey}. */
    static String fromRoutingKey(String routingKey) {
        return swapSeparators(routingKey);
    }

    /** The topic exchange binding key for an MQTT filter. */
    static String toBindingKey(String filter) {
        StringBuilder b = new StringBuilder(filter.length());
        String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (i > 0) {
                b.append('.');
            }
            b.append(levels[i].equals("+") ? "*" : levels[i].replace('.', '/'));
        }
        return b.toString();
    }

    private static String swapSeparators(String s) {
        char[] c = s.toCharArray();
        for (int i = 0; i < c.length; i++) {
            if (c[i] == '/') {
                c[i] = '.';
            } else if (c[i] == '.') {
                c[i] = '/';
            }
        }
        return new String(c);
    }

    /**
     * Whether {@code filter} matches {@code topic} by MQTT's rules: {@code +} is one level,
     * {@code #} the rest (the parent level included), and topics starting with {@code $} are not
     * matched by a wildcard in the first level.
     */
    static boolean matches(String filter, String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        // Level by level on the strings themselves: this runs for every delivered message.
        int f = 0;
        int t = 0;
        while (true) {
            int fEnd = levelEnd(filter, f);
            int tEnd = t > topic.length() ? -1 : levelEnd(topic, t);
            int fLen = fEnd - f;
            if (fLen == 1 && filter.charAt(f) == '#') {
                return true;
            }
            if (tEnd < 0) {
                return false;
            }
            boolean one = fLen == 1 && filter.charAt(f) == '+';
            if (!one && (fLen != tEnd - t || !filter.regionMatches(f, topic, t, fLen))) {
                return false;
            }
            boolean filterDone = fEnd == filter.length();
            boolean topicDone = tEnd == topic.length();
            if (filterDone) {
                return topicDone;
            }
            f = fEnd + 1;
            // Past the topic's last level: only a following "#" can still match.
            t = topicDone ? topic.length() + 1 : tEnd + 1;
        }
    }

    /** Where the level starting at {@code from} ends: the next '/' or the end of the string. */
    private static int levelEnd(String s, int from) {
        int slash = s.indexOf('/', from);
        return slash < 0 ? s.length() : slash;
    }
}
