package io.wharf.management.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A request's JSON object with typed accessors that name the field in their errors, so every
 * 400 tells the client which field to fix.
 */
public final class JsonBody {

    private final ObjectNode node;
    private final String prefix;

    private JsonBody(ObjectNode node, String prefix) {
        this.node = node;
        this.prefix = prefix;
    }

    /**
     * A JSON object in which only {@code allowed} fields may appear; {@code prefix} goes before
     * field names in errors (such as {@code messages[3].}).
     *
     * @throws ApiException 400 if it is not an object or has an unknown field
     */
    public static JsonBody of(JsonNode node, String prefix, Set<String> allowed) {
        if (!(node instanceof ObjectNode o)) {
            throw ApiException.badRequest(prefix.isEmpty() ? null : prefix.substring(0, prefix.length() - 1),
                    prefix.isEmpty() ? "the body must be a JSON object" : "'" + prefix.substring(0, prefix.length() - 1) + "' must be a JSON object");
        }
        java.util.Iterator<String> names = o.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!allowed.contains(f)) {
                throw ApiException.badRequest(prefix + f, "unknown field '" + prefix + f + "'; known fields: "
                        + String.join(", ", new java.util.TreeSet<>(allowed)));
            }
        }
        return new JsonBody(o, prefix);
    }

    public boolean has(String field) {
        return node.has(field) && !node.get(field).isNull();
    }

    public JsonNode node(String field) {
        return node.get(field);
    }

    public boolean bool(String field, boolean dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode v = node.get(field);
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        // RabbitMQ's API and its tools send "true"/"false" strings as often as booleans.
        if (v.isTextual() && (v.textValue().equals("true") || v.textValue().equals("false"))) {
            return Boolean.parseBoolean(v.textValue());
        }
        throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' must be true or false");
    }

    public String string(String field, String dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode v = node.get(field);
        if (!v.isTextual()) {
            throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' must be a string");
        }
        return v.textValue();
    }

    /** A required string field. */
    public String requiredString(String field) {
        String v = string(field, null);
        if (v == null) {
            throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' is required");
        }
        return v;
    }

    public long integer(String field, long dflt, long min, long max) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode v = node.get(field);
        long value;
        if (v.isIntegralNumber() && v.canConvertToLong()) {
            value = v.longValue();
        } else if (v.isTextual() && v.textValue().matches("-?\\d{1,18}")) {
            value = Long.parseLong(v.textValue());
        } else {
            throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' must be an integer");
        }
        if (value < min || value > max) {
            throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' must be between " + min + " and " + max + ", not " + value);
        }
        return value;
    }

    /** An object field as a map of broker field values (arguments, headers). */
    public Map<String, Object> table(String field) {
        if (!has(field)) {
            return Map.of();
        }
        JsonNode v = node.get(field);
        if (!v.isObject()) {
            throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' must be a JSON object");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> out.put(e.getKey(), Json.toFieldValue(e.getValue())));
        return out;
    }

    /** An object field whose values must be strings (stream configs). */
    public Map<String, String> strings(String field) {
        if (!has(field)) {
            return Map.of();
        }
        JsonNode v = node.get(field);
        if (!v.isObject()) {
            throw ApiException.badRequest(prefix + field, "'" + prefix + field + "' must be a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw ApiException.badRequest(prefix + field, "'" + prefix + field + "." + e.getKey() + "' must be a string or a number");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }
}
