package io.wharf.storage.file;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The fault injection the crash tests rely on does what it says. */
class FaultyFileChannelsTest {

    @TempDir
    Path dir;

    private static final Set<StandardOpenOption> RW = Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);

    @Test
    void shouldUndoEveryWriteNoFsyncCoveredAtAPowerCut() throws IOException {
        FaultyFileChannels disk = new FaultyFileChannels();
        Path file = dir.resolve("f");
        try (FileChannel ch = disk.open(file, RW)) {
            ch.write(ByteBuffer.wrap("synced".getBytes()), 0);
            ch.force(false);
            ch.write(ByteBuffer.wrap("SY".getBytes()), 0);
            ch.write(ByteBuffer.wrap("-lost tail".getBytes()), 6);

            disk.powerCut();

            assertThat(Files.readString(file)).isEqualTo("synced");
            assertThatThrownBy(() -> ch.write(ByteBuffer.wrap("x".getBytes()), 0)).hasMessageContaining("power");
            assertThatThrownBy(() -> ch.force(false)).hasMessageContaining("Input/output error");
        }
    }

    @Test
    void shouldStoreAFewBytesAndFailLikeAFullDisk() throws IOException {
        FaultyFileChannels disk = new FaultyFileChannels();
        try (FileChannel ch = disk.open(dir.resolve("g"), RW)) {
            disk.diskFull(true);
            assertThatThrownBy(() -> ch.write(ByteBuffer.wrap("0123456789".getBytes()), 0)).hasMessage("No space left on device");
            assertThat(ch.size()).isEqualTo(7);
            disk.diskFull(false);
            assertThat(ch.write(ByteBuffer.wrap("0123456789".getBytes()), 0)).isEqualTo(10);
        }
    }
}
