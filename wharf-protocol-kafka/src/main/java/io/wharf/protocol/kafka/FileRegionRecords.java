package io.wharf.protocol.kafka;

import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.RecordsSend;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A fetch's records as a range of a segment file, checked when it was read. They never enter the
 * heap: the response sends them from the file (sendfile where the transport can).
 */
final class FileRegionRecords implements BaseRecords {

    private final Path file;
    private final long position;
    private final int size;

    FileRegionRecords(Path file, long position, int size) {
        this.file = file;
        this.position = position;
        this.size = size;
    }

    @Override
    public int sizeInBytes() {
        return size;
    }

    @Override
    public RecordsSend<FileRegionRecords> toSend() {
        return new RecordsSend<>(this, size) {
            @Override
            protected int writeTo(TransferableChannel channel, int previouslyWritten, int remaining) throws IOException {
                if (!(channel instanceof ResponseBytes out)) {
                    throw new IOException("file records go out only through a response's own channel");
                }
                out.addFile(file, position + previouslyWritten, remaining);
                return remaining;
            }
        };
    }
}
