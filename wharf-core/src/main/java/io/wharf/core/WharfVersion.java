package io.wharf.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * The broker's version, one value for every place that reports it: AMQP's server properties,
 * STOMP's {@code server} header, the HTTP API, the console and the command line. The build writes
 * it into a resource of this module, so a run from the class directories reports it as a jar does.
 * Immutable; thread-safe.
 */
public final class WharfVersion {

    private static final String VERSION = load();

    private WharfVersion() {
    }

    /** The project version this broker was built as, such as {@code 0.1.0-SNAPSHOT}. */
    public static String current() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = WharfVersion.class.getResourceAsStream("wharf.properties")) {
            if (in == null) {
                throw new IllegalStateException("wharf.properties is missing from wharf-core's resources");
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
