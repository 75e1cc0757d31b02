package io.wharf.management.api;

import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.Router;
import io.wharf.storage.ScrubReport;
import io.wharf.storage.StorageBackups;
import io.wharf.storage.StorageException;
import io.wharf.storage.log.LogDamage;

import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import static io.wharf.management.http.Router.Level.ADMINISTRATOR;

/** {@code /api/storage/...}: checks of every stored byte, and online backups. */
final class StorageRoutes {

    private final Views views;

    StorageRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.post("/api/storage/verify", ADMINISTRATOR, this::verify)
                .post("/api/storage/backups", ADMINISTRATOR, this::startBackup)
                .get("/api/storage/backups/{id}", ADMINISTRATOR, this::backup);
    }

    /** Starts an online backup into {@code {"directory": "/absolute/path"}} on the broker's machine; 202 with its status. */
    private ApiResponse startBackup(ApiRequest r) {
        String directory = r.body(Set.of("directory")).requiredString("directory");
        StorageBackups.Status s;
        try {
            s = views.broker().backup(Path.of(directory));
        } catch (StorageException | InvalidPathException e) {
            throw ApiException.badRequest("directory", e.getMessage());
        } catch (IOException e) {
            throw new ApiException(500, "internal_error", e.getMessage(), null);
        }
        return new ApiResponse(202, view(s), null, null, Map.of("Location", "/api/storage/backups/" + s.id()));
    }

    private ApiResponse backup(ApiRequest r) {
        long id;
        try {
            id = Long.parseLong(r.path("id"));
        } catch (NumberFormatException e) {
            throw ApiException.notFound("no backup '" + r.path("id") + "'");
        }
        return ApiResponse.ok(view(views.broker().storage().backups().status(id)
                .orElseThrow(() -> ApiException.notFound("no backup " + id))));
    }

    private static Map<String, Object> view(StorageBackups.Status s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", s.id());
        m.put("directory", s.directory().toString());
        m.put("state", s.state());
        m.put("cut", s.cut() == null ? null : s.cut().toString());
        m.put("logs", s.logs());
        m.put("bytes_total", s.bytesTotal());
        m.put("bytes_copied", s.bytesCopied());
        m.put("duration_ms", s.millis());
        m.put("error", s.error());
        return m;
    }

    /**
     * Runs a scrub pass now and answers when it is done: it reads everything at the configured
     * scrub rate, so a large data directory takes a while.
     */
    private ApiResponse verify(ApiRequest r) {
        ScrubReport report;
        try {
            report = views.broker().storage().scrubber().scrubNow().get();
        } catch (ExecutionException e) {
            throw new ApiException(500, "internal_error", "the check stopped: " + e.getCause().getMessage(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "unavailable", "interrupted", null);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("clean", report.isClean());
        m.put("bytes_checked", report.bytesChecked());
        m.put("logs_checked", report.logsChecked());
        m.put("duration_ms", report.millis());
        m.put("found", damage(report.found()));
        m.put("damage", damage(report.damage()));
        m.put("other_problems", report.otherProblems());
        return ApiResponse.ok(m);
    }

    private static List<Map<String, Object>> damage(List<LogDamage> damage) {
        return damage.stream().map(d -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("log", d.log());
            m.putAll(Views.damageDetail(d));
            return m;
        }).toList();
    }
}
