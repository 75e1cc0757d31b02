package io.wharf.it.cli;

import io.wharf.it.support.CliRunner.Run;
import io.wharf.it.support.CliRunner;
import io.wharf.test.WharfExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code wharf storage verify}: on the data directory of a stopped broker, read by the command
 * itself, and on a running broker through {@code POST /api/storage/verify}; exit 0 when nothing
 * is damaged, 1 with a table of what is.
 */
class StorageVerifyTest {

    @RegisterExtension
    final WharfExtension wharf = new WharfExtension();

    private CliRunner cli() {
        return CliRunner.forPort(wharf.httpPort());
    }

    private void publish(String queue, int count) {
        assertThat(cli().run("queue", "declare", queue).exitCode()).isZero();
        for (int i = 0; i < count; i += 100) {
            String[] args = new String[103];
            args[0] = "publish";
            args[1] = "--routing-key";
            args[2] = queue;
            for (int k = 0; k < 100; k++) {
                args[3 + k] = "message " + (i + k) + " " + "x".repeat(200);
            }
            assertThat(cli().run(args).exitCode()).isZero();
        }
    }

    private static Path segmentOf(Path dataDir, String queue) throws IOException {
        try (Stream<Path> dirs = Files.list(dataDir.resolve("logs"))) {
            Path dir = dirs.filter(d -> d.getFileName().toString().endsWith("%2F" + queue)).findFirst().orElseThrow();
            try (Stream<Path> files = Files.list(dir)) {
                return files.filter(p -> p.toString().endsWith(".log")).sorted().findFirst().orElseThrow();
            }
        }
    }

    private static void flipByte(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ 0x40)).rewind();
            ch.write(b, position);
        }
    }

    @Test
    void shouldVerifyTheDataDirectoryOfAStoppedBroker() throws Exception {
        publish("verified", 500);
        AtomicReference<Run> clean = new AtomicReference<>();
        AtomicReference<Run> damaged = new AtomicReference<>();
        AtomicReference<Path> segment = new AtomicReference<>();

        wharf.restart(dataDir -> {
            clean.set(cli().run("storage", "verify", "--data-dir", dataDir.toString()));
            segment.set(segmentOf(dataDir, "verified"));
            flipByte(segment.get(), Files.size(segment.get()) / 2);
            damaged.set(cli().run("storage", "verify", "--data-dir", dataDir.toString()));
        });

        assertThat(clean.get().exitCode()).as(clean.get().err()).isZero();
        assertThat(clean.get().out()).contains("no damage found");
        assertThat(damaged.get().exitCode()).isEqualTo(1);
        assertThat(damaged.get().out()).contains(segment.get().toString()).contains("its CRC does not match its content")
                .contains("DAMAGE FOUND");
        assertThat(damaged.get().err()).contains("wharf: damage found: 1 damaged stretch(es)");
    }

    @Test
    void shouldRefuseToReadTheDataDirectoryOfARunningBroker() {
        Run refused = cli().run("storage", "verify", "--data-dir", wharf.dataDir().toString());

        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("in use by a running broker");
    }

    @Test
    void shouldAskARunningBrokerToCheckItselfAndFenceWhatItFinds() throws Exception {
        publish("scrubbed", 500);
        Run clean = cli().run("storage", "verify");
        assertThat(clean.exitCode()).as(clean.err()).isZero();
        assertThat(clean.out()).contains("no damage found");

        Path segment = segmentOf(wharf.dataDir(), "scrubbed");
        flipByte(segment, 20_000);
        Run damaged = cli().run("storage", "verify", "--json");

        assertThat(damaged.exitCode()).isEqualTo(1);
        assertThat(damaged.out()).contains("\"found\"").contains(segment.toString());
        Run again = cli().run("queues", "list", "--json");
        assertThat(again.out()).contains("\"damage\":{\"ranges\":1");
    }
}
