package io.wharf.management.api;

import io.wharf.management.http.ApiException;
import io.wharf.management.http.ApiRequest;
import io.wharf.management.http.ApiResponse;
import io.wharf.management.http.Router;
import io.wharf.storage.ScrubReport;
import io.wharf.storage.log.LogDamage;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static io.wharf.management.http.Router.Level.ADMINISTRATOR;

/** {@code /api/storage/...}: checks of every stored byte. */
final class StorageRoutes {

    private final Views views;

    StorageRoutes(Views views) {
        this.views = views;
    }

    void register(Router r) {
        r.post("/api/storage/verify", ADMINISTRATOR, this::verify);
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
