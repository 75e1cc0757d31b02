package io.wharf.storage.log;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What one log knows of its damage: the stretches fenced off in earlier runs (from the
 * {@link DamageRegistry}) and those found since. A stretch is logged at WARN and counted once,
 * when it is first found; one already known is confirmed silently when a segment steps over it
 * again. Every change is written back to the registry.
 *
 * <p>Threading: any thread; changes are serialised on this object.
 */
final class DamageLedger {

    private static final Logger LOG = LoggerFactory.getLogger(Log.class);

    private final String log;
    private final Path dir;
    private final LogEnvironment env;
    private final List<LogDamage> recorded;
    private final CopyOnWriteArrayList<LogDamage> confirmed = new CopyOnWriteArrayList<>();

    DamageLedger(String log, Path dir, LogEnvironment env) {
        this.log = log;
        this.dir = dir;
        this.env = env;
        this.recorded = new ArrayList<>(DamageRegistry.read(dir, log));
    }

    /** The fenced ranges earlier runs recorded in {@code file}, to step over without checking again. */
    synchronized List<Fence> knownFences(Path file, long fileSize) {
        List<Fence> out = new ArrayList<>();
        for (LogDamage d : recorded) {
            if (d.file().equals(file) && d.endByte() > d.startByte() && d.endByte() <= fileSize) {
                out.add(new Fence((int) d.startByte(), (int) d.endByte(), d.firstOffset(), d.nextOffset(), d.reason()));
            }
        }
        return out;
    }

    /** Keeps a damaged stretch a segment fenced: confirmed if an earlier run recorded it, else new. */
    synchronized LogDamage fenced(LogDamage d) {
        for (LogDamage r : recorded) {
            if (r.file().equals(d.file()) && r.startByte() == d.startByte() && r.endByte() == d.endByte()) {
                confirmed.add(r);
                return r;
            }
        }
        return found(d);
    }

    /**
     * Whether a known stretch holds every offset in [from, to); one that an earlier run recorded
     * is confirmed by it, so {@link #settle()} keeps it.
     */
    synchronized boolean covers(long from, long to) {
        for (List<LogDamage> list : List.of(confirmed, recorded)) {
            for (LogDamage d : list) {
                if (d.firstOffset() <= from && d.nextOffset() >= to) {
                    confirmed.addIfAbsent(d);
                    return true;
                }
            }
        }
        return false;
    }

    /** A stretch found for the first time: kept, logged once, counted and recorded. */
    synchronized LogDamage found(LogDamage d) {
        confirmed.add(d);
        LOG.warn("log {}: {} is damaged from byte {} to {} ({}); reads skip offsets [{}, {}), {} offset(s)",
                log, d.file(), d.startByte(), d.endByte(), d.reason(), d.firstOffset(), d.nextOffset(), d.offsets());
        env.damaged(d);
        persist();
        return d;
    }

    /** Forgets what earlier runs recorded but this open did not meet again (its bytes are gone). */
    synchronized void settle() {
        if (!recorded.isEmpty() && !confirmed.containsAll(recorded)) {
            recorded.retainAll(confirmed);
            persist();
        }
    }

    /** Forgets the damage of a segment file that retention deleted. */
    synchronized void forgetFile(Path file) {
        if (confirmed.removeIf(d -> d.file().equals(file)) | recorded.removeIf(d -> d.file().equals(file))) {
            persist();
        }
    }

    List<LogDamage> all() {
        return List.copyOf(confirmed);
    }

    private void persist() {
        List<LogDamage> all = new ArrayList<>(confirmed);
        recorded.stream().filter(d -> !all.contains(d)).forEach(all::add);
        try {
            DamageRegistry.write(dir, all);
        } catch (IOException e) {
            // Only costs finding the damage again at the next open.
            LOG.warn("log {}: cannot record its damage in {}: {}", log, dir.resolve(DamageRegistry.FILE), e.toString());
        }
    }
}
