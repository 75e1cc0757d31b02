package io.wharf.management.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.wharf.core.auth.User;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;

/**
 * One API request after routing and authentication: the path's named parts, the query, the
 * JSON body and the user.
 *
 * @param method  the HTTP method
 * @param path    the decoded path segments' values by their names in the route
 * @param query   query parameters (the last value of each)
 * @param body    the request body, parsed lazily by {@link #body()}
 * @param headers request headers by lower-case name
 * @param user    the authenticated user, or null on an open route
 * @param remote  the client's address
 */
public record ApiRequest(String method, Map<String, String> path, Map<String, String> query, byte[] bodyBytes,
                         Map<String, String> headers, User user, InetSocketAddress remote) {

    /** A named path part; routes only name parts that exist. */
    public String path(String name) {
        return path.get(name);
    }

    public String header(String name) {
        return headers.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    /** A boolean query parameter such as {@code ?if-empty=true}. */
    public boolean flag(String name) {
        String v = query.get(name);
        if (v == null) {
            return false;
        }
        return switch (v) {
            case "true", "" -> true;
            case "false" -> false;
            default -> throw ApiException.badRequest(name, "query parameter '" + name + "' must be true or false, not '" + v + "'");
        };
    }

    /**
     * The body as a JSON object, empty if there is none. Only {@code allowed} fields may appear,
     * so that a misspelt setting is an error and not silently ignored.
     *
     * @throws ApiException 400 if the body is not a JSON object or has an unknown field
     */
    public JsonBody body(Set<String> allowed) {
        if (bodyBytes.length == 0) {
            return JsonBody.of(JsonNodeFactory.instance.objectNode(), "", allowed);
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(bodyBytes);
        } catch (java.io.IOException e) {
            throw ApiException.badRequest(null, "the body is not valid JSON: " + Json.firstLine(e.getMessage()));
        }
        return JsonBody.of(parsed, "", allowed);
    }
}
