package io.wharf.storage.log;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class StagedWriterTest {

    @TempDir
    Path dir;

    /**
     * Heap and direct buffers, small and large, more than one staging buffer holds and more than
     * one gathering write takes (1024 buffers on Linux): the file holds them in order, from the
     * position asked, and the buffers are left as they were.
     */
    @Test
    void shouldWriteEveryBufferInOrderWhateverItsKindAndSize() throws Exception {
        Random random = new Random(11);
        List<ByteBuffer> buffers = new ArrayList<>();
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.write(new byte[100]);
        for (int i = 0; i < 3000; i++) {
            int size = switch (i % 5) {
                case 0 -> 1 + random.nextInt(300);
                case 1 -> 1 + random.nextInt(2000);
                case 2 -> 70_000;
                default -> 1 + random.nextInt(900);
            };
            byte[] bytes = new byte[size];
            random.nextBytes(bytes);
            expected.write(bytes);
            boolean direct = i % 3 == 0;
            ByteBuffer b = direct ? ByteBuffer.allocateDirect(size + 10) : ByteBuffer.allocate(size + 10);
            b.position(5);
            b.put(bytes);
            b.flip().position(5);
            buffers.add(direct ? b : b.asReadOnlyBuffer());
        }
        Path file = dir.resolve("segment");
        long end;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(100), 0);
            StagedWriter w = StagedWriter.at(ch, 100);
            for (ByteBuffer b : buffers) {
                w.add(b);
            }
            end = w.finish();
        }

        assertThat(end).isEqualTo(expected.size());
        assertThat(Files.readAllBytes(file)).isEqualTo(expected.toByteArray());
        assertThat(buffers).allSatisfy(b -> assertThat(b.position()).isEqualTo(5));
    }
}
