package io.wharf.storage.log;

import io.wharf.storage.file.AtomicFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The damage a log has fenced off, kept in {@code log.damage} beside its segments: a later open
 * steps over known ranges without finding, logging and counting them again, and the management
 * API still lists them. Losing the file costs only that: the damage is found again.
 */
final class DamageRegistry {

    static final String FILE = "log.damage";
    private static final Logger LOG = LoggerFactory.getLogger(DamageRegistry.class);
    private static final int VERSION = 1;

    private DamageRegistry() {
    }

    /** The damage recorded in {@code dir}, with files resolved in it; empty if none or unreadable. */
    static List<LogDamage> read(Path dir, String log) {
        try {
            return AtomicFile.read(dir.resolve(FILE)).map(bytes -> decode(bytes, dir, log)).orElse(List.of());
        } catch (IOException | RuntimeException e) {
            LOG.warn("log {}: cannot read {} ({}); damage found earlier will be found again", log, dir.resolve(FILE),
                    e.getMessage());
            return List.of();
        }
    }

    static void write(Path dir, List<LogDamage> damage) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(VERSION);
            out.writeInt(damage.size());
            for (LogDamage d : damage) {
                out.writeUTF(d.file().getFileName().toString());
                out.writeLong(d.startByte());
                out.writeLong(d.endByte());
                out.writeLong(d.firstOffset());
                out.writeLong(d.nextOffset());
                out.writeUTF(d.reason());
            }
        }
        AtomicFile.write(dir.resolve(FILE), bytes.toByteArray());
    }

    private static List<LogDamage> decode(byte[] bytes, Path dir, String log) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readInt() != VERSION) {
                throw new IOException("unknown format");
            }
            int n = in.readInt();
            List<LogDamage> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(new LogDamage(log, dir.resolve(in.readUTF()), in.readLong(), in.readLong(), in.readLong(),
                        in.readLong(), in.readUTF()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
