package io.wharf.server.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The broker's HTTP management API (docs/http-api.md) as the client commands use it: basic
 * authentication, JSON bodies, and every failure turned into an {@link CommandException} carrying the
 * exit code of its HTTP status. One instance serves one command and reuses its connection.
 */
final class ApiClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final String base;
    private final String authorization;

    ApiClient(URI base, String user, String password) {
        String url = base.toString();
        this.base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.authorization = "Basic " + Base64.getEncoder()
                .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        // HTTP/1.1 on purpose: a plain-text HTTP/2 upgrade buys nothing for one short command.
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build();
    }

    /** The API path of the given segments, each percent-encoded: {@code path("queues", "/", "a b")} is {@code /api/queues/%2F/a%20b}. */
    static String path(String... segments) {
        return Arrays.stream(segments)
                .map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/", "/api/", ""));
    }

    ApiResponse get(String path) throws CommandException, InterruptedException {
        return send("GET", path, null, Map.of());
    }

    ApiResponse put(String path, Object body) throws CommandException, InterruptedException {
        return send("PUT", path, body, Map.of());
    }

    ApiResponse post(String path, Object body) throws CommandException, InterruptedException {
        return send("POST", path, body, Map.of());
    }

    ApiResponse delete(String path, Map<String, String> headers) throws CommandException, InterruptedException {
        return send("DELETE", path, null, headers);
    }

    private ApiResponse send(String method, String path, Object body, Map<String, String> headers)
            throws CommandException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(REQUEST_TIMEOUT)
                .header("authorization", authorization)
                .header("accept", "application/json");
        headers.forEach(request::header);
        if (body == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("content-type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofByteArray(toJson(body)));
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new CommandException(ExitCodes.ERROR, "cannot reach Wharf at " + base + ": " + describe(e));
        }
        if (response.statusCode() >= 400) {
            throw new CommandException(ExitCodes.forStatus(response.statusCode()), reason(response));
        }
        return new ApiResponse(response.statusCode(), response.body());
    }

    private static byte[] toJson(Object body) {
        try {
            return JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not serialisable as JSON: " + body, e);
        }
    }

    /** The {@code reason} of the API's error body, or the status when the body is not the API's. */
    private static String reason(HttpResponse<String> response) {
        try {
            JsonNode error = JSON.readTree(response.body());
            if (error != null && error.hasNonNull("reason")) {
                return error.get("reason").asText();
            }
            if (error != null && error.hasNonNull("error")) {
                return error.get("error").asText();
            }
        } catch (JsonProcessingException e) {
            // Not JSON (a proxy's page, say): the status says enough.
        }
        return "HTTP " + response.statusCode() + " from " + response.uri();
    }

    /** HttpClient's connection failures often have no message of their own (a refused connection has none). */
    private static String describe(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return t.getMessage();
            }
            if (t instanceof ConnectException) {
                return "connection refused";
            }
        }
        return e.getClass().getSimpleName();
    }

    @Override
    public void close() {
        http.close();
    }

    /** A successful answer: its status and its body as sent. */
    record ApiResponse(int status, String body) {

        boolean created() {
            return status == 201;
        }

        /** The body as JSON; an empty body is an empty object. */
        JsonNode json() throws CommandException {
            if (body == null || body.isBlank()) {
                return JSON.createObjectNode();
            }
            try {
                return JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new CommandException(ExitCodes.ERROR, "the broker's answer is not JSON: " + e.getOriginalMessage());
            }
        }
    }
}
