package io.wharf.storage.file;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.Set;

/**
 * Opens the file channels storage writes through. Production code uses {@link #DEFAULT};
 * tests substitute channels that fail the way a full or broken disk does.
 */
@FunctionalInterface
public interface FileChannelFactory {

    FileChannelFactory DEFAULT = (path, options) -> FileChannel.open(path, options);

    FileChannel open(Path path, Set<? extends OpenOption> options) throws IOException;
}
