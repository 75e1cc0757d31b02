package io.wharf.management.http;

import java.util.Map;

/**
 * What a route answers: a status, and a body that is JSON ({@link #json}) or raw bytes of a given
 * content type ({@link #bytes}), plus any extra headers.
 */
public record ApiResponse(int status, Object json, byte[] bytes, String contentType, Map<String, String> headers) {

    public static ApiResponse ok(Object json) {
        return new ApiResponse(200, json, null, null, Map.of());
    }

    public static ApiResponse created() {
        return new ApiResponse(201, null, null, null, Map.of());
    }

    public static ApiResponse createdAt(String location) {
        return new ApiResponse(201, null, null, null, Map.of("Location", location));
    }

    public static ApiResponse noContent() {
        return new ApiResponse(204, null, null, null, Map.of());
    }

    /** 201 if {@code created}, else 204: what a PUT answers for a new or an existing object. */
    public static ApiResponse createdOrUpdated(boolean created) {
        return created ? created() : noContent();
    }

    public static ApiResponse bytes(int status, byte[] body, String contentType) {
        return new ApiResponse(status, null, body, contentType, Map.of());
    }
}
