package io.wharf.protocol.amqp.codec;

import java.util.Optional;

/**
 * The reply codes of AMQP 0-9-1, named as RabbitMQ names them in reply texts. Codes the spec calls hard
 * errors close the whole connection; the others close only the channel.
 */
public enum ReplyCode {
    REPLY_SUCCESS(200, false),
    CONTENT_TOO_LARGE(311, false),
    NO_ROUTE(312, false),
    NO_CONSUMERS(313, false),
    CONNECTION_FORCED(320, true),
    INVALID_PATH(402, true),
    ACCESS_REFUSED(403, false),
    NOT_FOUND(404, false),
    RESOURCE_LOCKED(405, false),
    PRECONDITION_FAILED(406, false),
    FRAME_ERROR(501, true),
    SYNTAX_ERROR(502, true),
    COMMAND_INVALID(503, true),
    CHANNEL_ERROR(504, true),
    UNEXPECTED_FRAME(505, true),
    RESOURCE_ERROR(506, true),
    NOT_ALLOWED(530, true),
    NOT_IMPLEMENTED(540, true),
    INTERNAL_ERROR(541, true);

    private final int code;
    private final boolean connectionLevel;

    ReplyCode(int code, boolean connectionLevel) {
        this.code = code;
        this.connectionLevel = connectionLevel;
    }

    public int code() {
        return code;
    }

    /** Whether the spec makes this a hard error, one that closes the connection rather than a channel. */
    public boolean connectionLevel() {
        return connectionLevel;
    }

    /** The reply code with this number, if AMQP 0-9-1 defines one. */
    public static Optional<ReplyCode> fromCode(int code) {
        for (ReplyCode c : values()) {
            if (c.code == code) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
