package io.wharf.management.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The API's JSON mapping, and the translation between JSON and the broker's field values. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

    private Json() {
    }

    /** A JSON value as a broker field value: integers as Long, decimals as Double, objects as maps. */
    public static Object toFieldValue(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? (Object) v.longValue() : v.asText();
        }
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isTextual()) {
            return v.textValue();
        }
        if (v.isArray()) {
            List<Object> out = new ArrayList<>();
            v.forEach(e -> out.add(toFieldValue(e)));
            return out;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> out.put(e.getKey(), toFieldValue(e.getValue())));
        return out;
    }

    /** A broker field value (argument, header) as something Jackson writes naturally. */
    public static Object fromFieldValue(Object v) {
        return switch (v) {
            case null -> null;
            case byte[] b -> new String(b, StandardCharsets.UTF_8);
            case Instant i -> i.getEpochSecond();
            case Date d -> d.getTime() / 1000;
            case Map<?, ?> m -> {
                Map<String, Object> out = new LinkedHashMap<>();
                m.forEach((k, x) -> out.put(String.valueOf(k), fromFieldValue(x)));
                yield out;
            }
            case List<?> l -> l.stream().map(Json::fromFieldValue).toList();
            case Number n -> n;
            case Boolean b -> b;
            default -> v.toString();
        };
    }

    /** The first line of a parser message, which is the part worth showing a client. */
    static String firstLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
