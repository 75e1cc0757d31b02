package io.wharf.management.http;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The console's files and the WebJars it uses, read from the classpath once and kept: they are
 * small and fixed for the life of the jar.
 */
public final class StaticFiles {

    private static final String CONSOLE = "io/wharf/management/console/";
    private static final String WEBJARS = "META-INF/resources/webjars/";
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    /** A file's bytes and content type. */
    public record File(byte[] bytes, String contentType) {
    }

    private final ClassLoader loader = StaticFiles.class.getClassLoader();
    private final Map<String, Optional<File>> cache = new ConcurrentHashMap<>();

    /** The file for a decoded request path, if there is one; {@code /} is the console's index. */
    public Optional<File> find(String path) {
        String resource;
        if (path.equals("/") || path.isEmpty()) {
            resource = CONSOLE + "index.html";
        } else if (path.startsWith("/webjars/")) {
            resource = WEBJARS + path.substring("/webjars/".length());
        } else {
            resource = CONSOLE + path.substring(1);
        }
        if (resource.contains("..") || resource.endsWith("/")) {
            return Optional.empty();
        }
        return cache.computeIfAbsent(resource, this::load);
    }

    private Optional<File> load(String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                return Optional.empty();
            }
            String ext = resource.substring(resource.lastIndexOf('.') + 1);
            return Optional.of(new File(in.readAllBytes(), TYPES.getOrDefault(ext, "application/octet-stream")));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
