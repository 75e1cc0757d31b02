package io.wharf.management.http;

import io.wharf.core.BrokerException;

/**
 * A request the API refuses, with the HTTP status and the JSON error body the client gets:
 * {@code {"error": "...", "reason": "...", "field": "..."}}.
 */
public final class ApiException extends RuntimeException {

    private final int status;
    private final String error;
    private final String field;

    public ApiException(int status, String error, String reason, String field) {
        super(reason);
        this.status = status;
        this.error = error;
        this.field = field;
    }

    /** 400: the body field or query parameter {@code field} (or none, if null) is invalid. */
    public static ApiException badRequest(String field, String reason) {
        return new ApiException(400, "bad_request", reason, field);
    }

    public static ApiException notFound(String reason) {
        return new ApiException(404, "not_found", reason, null);
    }

    public static ApiException conflict(String reason) {
        return new ApiException(409, "conflict", reason, null);
    }

    public static ApiException unauthorised(String reason) {
        return new ApiException(401, "not_authorised", reason, null);
    }

    public static ApiException accessRefused(String reason) {
        return new ApiException(403, "access_refused", reason, null);
    }

    /** The HTTP answer to a refusal of the broker core. */
    public static ApiException from(BrokerException e) {
        return switch (e.kind()) {
            case NOT_FOUND -> notFound(e.getMessage());
            case ACCESS_REFUSED, NOT_ALLOWED -> accessRefused(e.getMessage());
            case PRECONDITION_FAILED, RESOURCE_LOCKED -> conflict(e.getMessage());
            case COMMAND_INVALID -> badRequest(null, e.getMessage());
            case NOT_IMPLEMENTED -> new ApiException(501, "not_implemented", e.getMessage(), null);
            case RESOURCE_ERROR -> new ApiException(503, "resource_error", e.getMessage(), null);
            case INTERNAL -> new ApiException(500, "internal_error", e.getMessage(), null);
        };
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    /** The offending field or query parameter, or null. */
    public String field() {
        return field;
    }
}
