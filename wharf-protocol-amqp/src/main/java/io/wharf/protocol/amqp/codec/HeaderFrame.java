package io.wharf.protocol.amqp.codec;

import io.wharf.core.message.MessageProperties;
import java.util.Arrays;
import java.util.Objects;

/**
 * A content header frame: the size of the body that follows and the message's properties.
 *
 * @param classId       the content class; always 60 (basic) when decoded
 * @param rawProperties the property flags and property list exactly as received, which the broker stores
 *                      verbatim instead of encoding {@code properties} again
 */
public record HeaderFrame(int channel, int classId, long bodySize, MessageProperties properties, byte[] rawProperties)
        implements Frame {

    public HeaderFrame {
        Objects.requireNonNull(properties, "properties");
        Objects.requireNonNull(rawProperties, "rawProperties");
    }

    /** A header whose raw bytes are the encoding of {@code properties}. */
    public static HeaderFrame of(int channel, long bodySize, MessageProperties properties) {
        return new HeaderFrame(channel, BasicMethod.CLASS_ID, bodySize, properties, properties.encode());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HeaderFrame h && channel == h.channel && classId == h.classId && bodySize == h.bodySize
                && properties.equals(h.properties) && Arrays.equals(rawProperties, h.rawProperties);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channel, classId, bodySize, properties, Arrays.hashCode(rawProperties));
    }

    @Override
    public String toString() {
        return "HeaderFrame[channel=" + channel + ", classId=" + classId + ", bodySize=" + bodySize
                + ", properties=" + properties + ", rawProperties=" + rawProperties.length + " bytes]";
    }
}
