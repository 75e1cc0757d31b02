package io.wharf.storage;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

/**
 * One act of damage to a file of a log or store: bytes flipped, a range zeroed, or the file cut
 * short, at a position chosen as a fraction of the file's size, so that one generated value fits
 * files of any length.
 *
 * @param kind   what is done
 * @param file   which of the candidate files, modulo their number
 * @param at     where, as a fraction of the file's size
 * @param length how many bytes (flips and zeros)
 * @param seed   the flipped bits
 */
public record FileDamage(Kind kind, int file, double at, int length, long seed) {

    public enum Kind { FLIP, ZERO, TRUNCATE }

    public static Arbitrary<FileDamage> any() {
        return Combinators.combine(Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 1000),
                        Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(1, 200),
                        Arbitraries.longs())
                .as(FileDamage::new);
    }

    /** Applies the damage to one of {@code candidates}, sorted by name so a seed picks the same file again. */
    public Path applyTo(List<Path> candidates) throws IOException {
        List<Path> files = candidates.stream().sorted().toList();
        if (files.isEmpty()) {
            return null;
        }
        Path target = files.get(file % files.size());
        long size = Files.size(target);
        long position = (long) (at * size);
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            switch (kind) {
                case TRUNCATE -> ch.truncate(position);
                case ZERO -> ch.write(ByteBuffer.allocate((int) Math.min(length, size - position)), position);
                case FLIP -> {
                    int n = (int) Math.min(length, size - position);
                    ByteBuffer b = ByteBuffer.allocate(n);
                    ch.read(b, position);
                    Random r = new Random(seed);
                    for (int i = 0; i < n; i++) {
                        b.put(i, (byte) (b.get(i) ^ (1 + r.nextInt(255))));
                    }
                    ch.write(b.rewind(), position);
                }
            }
        }
        return target;
    }

    /** Every regular file under {@code dir} whose name ends with one of {@code suffixes}. */
    public static List<Path> filesIn(Path dir, String... suffixes) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile)
                    .filter(p -> Stream.of(suffixes).anyMatch(s -> p.getFileName().toString().endsWith(s)))
                    .toList();
        }
    }
}
