package io.wharf.server.cli;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Values of {@code --arg key=value}, typed the way the API expects them: {@code x-max-length=1000}
 * is the number 1000 and {@code x-single-active-consumer=true} the boolean, as RabbitMQ's queue
 * arguments are; anything else stays a string.
 */
final class TypedValues {

    private static final Pattern INTEGER = Pattern.compile("-?\\d{1,18}");
    private static final Pattern DECIMAL = Pattern.compile("-?\\d+\\.\\d+([eE][-+]?\\d+)?");

    private TypedValues() {
    }

    static Map<String, Object> of(Map<String, String> values) {
        Map<String, Object> typed = new LinkedHashMap<>();
        values.forEach((k, v) -> typed.put(k, typed(v)));
        return typed;
    }

    static Object typed(String value) {
        if (INTEGER.matcher(value).matches()) {
            return Long.parseLong(value);
        }
        if (DECIMAL.matcher(value).matches()) {
            return new BigDecimal(value);
        }
        if (value.equals("true") || value.equals("false")) {
            return Boolean.parseBoolean(value);
        }
        return value;
    }
}
