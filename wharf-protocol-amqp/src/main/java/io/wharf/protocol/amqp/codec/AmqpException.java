package io.wharf.protocol.amqp.codec;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A protocol error, as a value the connection handler turns into channel.close or connection.close. It
 * carries the reply code, the text after the code's name, the channel it happened on and the class and
 * method ids of the offending method (0 when unknown).
 *
 * <p>It records no stack trace: it reports a peer's mistake, not a bug in Wharf, and some (a passive
 * declare of a missing queue) are routine. A cause, when there is one, keeps its own trace.
 */
public final class AmqpException extends RuntimeException {

    private static final int MAX_SHORT_STRING = 255;

    private final ReplyCode replyCode;
    private final String text;
    private final int channel;
    private final int classId;
    private final int methodId;
    private final boolean connectionLevel;

    AmqpException(ReplyCode replyCode, String text, int channel, int classId, int methodId,
                  boolean connectionLevel, Throwable cause) {
        super(Objects.requireNonNull(replyCode, "replyCode").name() + " - " + Objects.requireNonNull(text, "text"),
                cause, false, false);
        this.replyCode = replyCode;
        this.text = text;
        this.channel = channel;
        this.classId = classId;
        this.methodId = methodId;
        this.connectionLevel = connectionLevel;
    }

    /** An error that closes the connection, whatever its code; it did not arise from a particular method. */
    public static AmqpException connection(ReplyCode code, String text) {
        return new AmqpException(code, text, 0, 0, 0, true, null);
    }

    /** An error that closes the connection, whatever its code, caused by the given method. */
    public static AmqpException connection(ReplyCode code, int classId, int methodId, String text) {
        return new AmqpException(code, text, 0, classId, methodId, true, null);
    }

    /**
     * An error in a method on a channel. It closes only the channel unless the code is a hard error, in
     * which case it closes the connection.
     */
    public static AmqpException channel(ReplyCode code, int channel, int classId, int methodId, String text) {
        return new AmqpException(code, text, channel, classId, methodId, code.connectionLevel(), null);
    }

    /** The same error, reported as having happened on the given channel. */
    public AmqpException withChannel(int channel) {
        return new AmqpException(replyCode, text, channel, classId, methodId, connectionLevel, getCause());
    }

    /** The same error, recording what caused it, e.g. the broker failure behind an INTERNAL_ERROR. */
    public AmqpException causedBy(Throwable cause) {
        return new AmqpException(replyCode, text, channel, classId, methodId, connectionLevel, cause);
    }

    public ReplyCode replyCode() {
        return replyCode;
    }

    /** The reply code's number. */
    public int code() {
        return replyCode.code();
    }

    /** The explanation, without the code's name. */
    public String text() {
        return text;
    }

    /**
     * The reply text in RabbitMQ's style, e.g. "NOT_FOUND - no queue 'x' in vhost '/'", cut to the 255 bytes a
     * short string holds (at a character boundary) so the close method that carries it can always be written.
     */
    public String replyText() {
        String full = getMessage();
        byte[] utf8 = full.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= MAX_SHORT_STRING) {
            return full;
        }
        int end = MAX_SHORT_STRING;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return new String(utf8, 0, end, StandardCharsets.UTF_8);
    }

    /** The channel the error happened on; 0 for the connection itself. */
    public int channel() {
        return channel;
    }

    public int classId() {
        return classId;
    }

    public int methodId() {
        return methodId;
    }

    /** Whether the error closes the connection rather than just the channel. */
    public boolean connectionLevel() {
        return connectionLevel;
    }
}
