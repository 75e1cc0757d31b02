package io.wharf.storage.record;

/** The codec named by the low three bits of a batch's attributes. */
public enum Compression {
    NONE(0), GZIP(1), SNAPPY(2), LZ4(3), ZSTD(4);

    private final int id;

    Compression(int id) {
        this.id = id;
    }

    public int id() {
        return id;
    }

    public static Compression forId(int id) {
        for (Compression c : values()) {
            if (c.id == id) {
                return c;
            }
        }
        throw new InvalidRecordException("unknown compression codec id " + id);
    }
}
