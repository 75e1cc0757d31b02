package io.wharf.management.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request's JSON object with typed accessors that name the field in their errors, so every
 * 400 tells the client which field to fix.
 */
public final class JsonBody {

    private final ObjectNode node;

    JsonBody(ObjectNode node) {
        this.node = node;
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
        throw ApiException.badRequest(field, "'" + field + "' must be true or false");
    }

    public String string(String field, String dflt) {
        if (!has(field)) {
            return dflt;
        }
        JsonNode v = node.get(field);
        if (!v.isTextual()) {
            throw ApiException.badRequest(field, "'" + field + "' must be a string");
        }
        return v.textValue();
    }

    /** A required string field. */
    public String requiredString(String field) {
        String v = string(field, null);
        if (v == null) {
            throw ApiException.badRequest(field, "'" + field + "' is required");
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
            throw ApiException.badRequest(field, "'" + field + "' must be an integer");
        }
        if (value < min || value > max) {
            throw ApiException.badRequest(field, "'" + field + "' must be between " + min + " and " + max + ", not " + value);
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
            throw ApiException.badRequest(field, "'" + field + "' must be a JSON object");
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
            throw ApiException.badRequest(field, "'" + field + "' must be a JSON object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        v.fields().forEachRemaining(e -> {
            if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                throw ApiException.badRequest(field, "'" + field + "." + e.getKey() + "' must be a string or a number");
            }
            out.put(e.getKey(), e.getValue().asText());
        });
        return out;
    }
}
