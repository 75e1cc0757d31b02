package io.wharf.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/** Calls the management API as a script would: JSON bodies, basic auth, raw status codes. */
public final class ApiClient {

    public static final ObjectMapper JSON = new ObjectMapper();

    /** An answer: its status, headers and parsed JSON body (missing when empty or not JSON). */
    public record Answer(int status, HttpResponse<String> raw, JsonNode json) {
        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String host;
    private final int port;
    private final String authorization;

    public ApiClient(int port, String user, String password) {
        this("127.0.0.1", port, user, password);
    }

    /** A broker on another host, such as one in a network namespace. */
    public ApiClient(String host, int port, String user, String password) {
        this.host = host;
        this.port = port;
        this.authorization = user == null ? null
                : "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public ApiClient as(String user, String password) {
        return new ApiClient(host, port, user, password);
    }

    public Answer get(String path) {
        return call("GET", path, null);
    }

    public Answer put(String path, String json) {
        return call("PUT", path, json);
    }

    public Answer post(String path, String json) {
        return call("POST", path, json);
    }

    public Answer delete(String path) {
        return call("DELETE", path, null);
    }

    public Answer call(String method, String path, String json, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        if (json != null) {
            b.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = MissingNode.getInstance();
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json") && !r.body().isEmpty()) {
                body = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), r, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
