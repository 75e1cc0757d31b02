package io.wharf.storage.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The logs a test opened on one directory, each on an environment of its own, so that a test can
 * "crash" one (stop its threads without closing it, as a killed process leaves it) and open the
 * directory again. Closing closes what is still open.
 */
final class OpenLogs implements AutoCloseable {

    private final Path dir;
    private final String name;
    private final Consumer<LogDamage> onDamage;
    private final List<LogEnvironment> envs = new ArrayList<>();
    private final List<Log> logs = new ArrayList<>();

    OpenLogs(Path dir, String name, Consumer<LogDamage> onDamage) {
        this.dir = dir;
        this.name = name;
        this.onDamage = onDamage;
    }

    Log open(LogConfig config) throws IOException {
        LogEnvironment env = LogEnvironment.builder().build();
        env.onDamage(onDamage);
        envs.add(env);
        Log log = Log.open(name, dir, config, env);
        logs.add(log);
        return log;
    }

    /** Closes the log cleanly, as a broker's orderly stop does. */
    void close(Log log) throws IOException {
        logs.remove(log);
        log.close();
    }

    /** Stops the log's threads without closing it: no trimming, no flush of indexes, no clean marker. */
    void crash(Log log) {
        logs.remove(log);
        envs.get(envs.size() - 1).close();
    }

    @Override
    public void close() throws IOException {
        for (Log l : logs) {
            l.close();
        }
        envs.forEach(LogEnvironment::close);
    }
}
