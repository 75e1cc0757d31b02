package io.wharf.core.message;

import java.time.Instant;
import java.util.Map;

/**
 * The properties of a message, as AMQP 0-9-1's basic class defines them; Wharf keeps every
 * message's properties in this shape and encoding (property flags, then the present fields),
 * whatever protocol it arrived by. Absent properties are null.
 *
 * @param deliveryMode 1 for transient, 2 for persistent, or null
 * @param priority     0 to 255, or null
 * @param expiration   per-message time to live in milliseconds, as decimal text
 */
public record MessageProperties(String contentType, String contentEncoding, Map<String, Object> headers,
                                Integer deliveryMode, Integer priority, String correlationId, String replyTo,
                                String expiration, String messageId, Instant timestamp, String type,
                                String userId, String appId, String clusterId) {

    public static final MessageProperties EMPTY = new MessageProperties(null, null, null, null, null, null, null,
            null, null, null, null, null, null, null);

    private static final int CONTENT_TYPE = 1 << 15;
    private static final int CONTENT_ENCODING = 1 << 14;
    private static final int HEADERS = 1 << 13;
    private static final int DELIVERY_MODE = 1 << 12;
    private static final int PRIORITY = 1 << 11;
    private static final int CORRELATION_ID = 1 << 10;
    private static final int REPLY_TO = 1 << 9;
    private static final int EXPIRATION = 1 << 8;
    private static final int MESSAGE_ID = 1 << 7;
    private static final int TIMESTAMP = 1 << 6;
    private static final int TYPE = 1 << 5;
    private static final int USER_ID = 1 << 4;
    private static final int APP_ID = 1 << 3;
    private static final int CLUSTER_ID = 1 << 2;

    public boolean persistent() {
        return deliveryMode != null && deliveryMode == 2;
    }

    public MessageProperties withHeaders(Map<String, Object> h) {
        return new MessageProperties(contentType, contentEncoding, h, deliveryMode, priority, correlationId, replyTo,
                expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    public MessageProperties withExpiration(String e) {
        return new MessageProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                replyTo, e, messageId, timestamp, type, userId, appId, clusterId);
    }

    public MessageProperties withReplyTo(String r) {
        return new MessageProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId, r,
                expiration, messageId, timestamp, type, userId, appId, clusterId);
    }

    /**
     * Reads property flags and the fields they announce.
     *
     * @throws MalformedDataException if the flags continue into a second word, or a field is malformed
     */
    public static MessageProperties read(WireReader in) {
        int flags = in.readUnsignedShort();
        if ((flags & 1) != 0) {
            throw new MalformedDataException("property flags continue past the fourteen basic properties");
        }
        if ((flags & 0b10) != 0) {
            throw new MalformedDataException("property flag bit 1 is reserved");
        }
        return new MessageProperties(
                (flags & CONTENT_TYPE) != 0 ? in.readShortString() : null,
                (flags & CONTENT_ENCODING) != 0 ? in.readShortString() : null,
                (flags & HEADERS) != 0 ? FieldTables.read(in) : null,
                (flags & DELIVERY_MODE) != 0 ? in.readUnsignedByte() : null,
                (flags & PRIORITY) != 0 ? in.readUnsignedByte() : null,
                (flags & CORRELATION_ID) != 0 ? in.readShortString() : null,
                (flags & REPLY_TO) != 0 ? in.readShortString() : null,
                (flags & EXPIRATION) != 0 ? in.readShortString() : null,
                (flags & MESSAGE_ID) != 0 ? in.readShortString() : null,
                (flags & TIMESTAMP) != 0 ? in.readTimestamp() : null,
                (flags & TYPE) != 0 ? in.readShortString() : null,
                (flags & USER_ID) != 0 ? in.readShortString() : null,
                (flags & APP_ID) != 0 ? in.readShortString() : null,
                (flags & CLUSTER_ID) != 0 ? in.readShortString() : null);
    }

    /** Writes property flags and the present fields. */
    public void write(WireWriter out) {
        int flags = (contentType != null ? CONTENT_TYPE : 0) | (contentEncoding != null ? CONTENT_ENCODING : 0)
                | (headers != null ? HEADERS : 0) | (deliveryMode != null ? DELIVERY_MODE : 0)
                | (priority != null ? PRIORITY : 0) | (correlationId != null ? CORRELATION_ID : 0)
                | (replyTo != null ? REPLY_TO : 0) | (expiration != null ? EXPIRATION : 0)
                | (messageId != null ? MESSAGE_ID : 0) | (timestamp != null ? TIMESTAMP : 0)
                | (type != null ? TYPE : 0) | (userId != null ? USER_ID : 0) | (appId != null ? APP_ID : 0)
                | (clusterId != null ? CLUSTER_ID : 0);
        out.writeShort(flags);
        if (contentType != null) {
            out.writeShortString(contentType);
        }
        if (contentEncoding != null) {
            out.writeShortString(contentEncoding);
        }
        if (headers != null) {
            FieldTables.write(headers, out);
        }
        if (deliveryMode != null) {
            out.writeByte(deliveryMode);
        }
        if (priority != null) {
            out.writeByte(priority);
        }
        if (correlationId != null) {
            out.writeShortString(correlationId);
        }
        if (replyTo != null) {
            out.writeShortString(replyTo);
        }
        if (expiration != null) {
            out.writeShortString(expiration);
        }
        if (messageId != null) {
            out.writeShortString(messageId);
        }
        if (timestamp != null) {
            out.writeLong(timestamp.getEpochSecond());
        }
        if (type != null) {
            out.writeShortString(type);
        }
        if (userId != null) {
            out.writeShortString(userId);
        }
        if (appId != null) {
            out.writeShortString(appId);
        }
        if (clusterId != null) {
            out.writeShortString(clusterId);
        }
    }

    public byte[] encode() {
        WireWriter w = new WireWriter(32);
        write(w);
        return w.toByteArray();
    }

    /** Builds properties field by field. */
    public static Builder builder() {
        return new Builder();
    }

    /** A mutable builder of {@link MessageProperties}. */
    public static final class Builder {
        private String contentType;
        private String contentEncoding;
        private Map<String, Object> headers;
        private Integer deliveryMode;
        private Integer priority;
        private String correlationId;
        private String replyTo;
        private String expiration;
        private String messageId;
        private Instant timestamp;
        private String type;
        private String userId;
        private String appId;
        private String clusterId;

        public Builder contentType(String v) {
            contentType = v;
            return this;
        }

        public Builder contentEncoding(String v) {
            contentEncoding = v;
            return this;
        }

        public Builder headers(Map<String, Object> v) {
            headers = v;
            return this;
        }

        public Builder deliveryMode(Integer v) {
            deliveryMode = v;
            return this;
        }

        public Builder priority(Integer v) {
            priority = v;
            return this;
        }

        public Builder correlationId(String v) {
            correlationId = v;
            return this;
        }

        public Builder replyTo(String v) {
            replyTo = v;
            return this;
        }

        public Builder expiration(String v) {
            expiration = v;
            return this;
        }

        public Builder messageId(String v) {
            messageId = v;
            return this;
        }

        public Builder timestamp(Instant v) {
            timestamp = v;
            return this;
        }

        public Builder type(String v) {
            type = v;
            return this;
        }

        public Builder userId(String v) {
            userId = v;
            return this;
        }

        public Builder appId(String v) {
            appId = v;
            return this;
        }

        public Builder clusterId(String v) {
            clusterId = v;
            return this;
        }

        public MessageProperties build() {
            return new MessageProperties(contentType, contentEncoding, headers, deliveryMode, priority, correlationId,
                    replyTo, expiration, messageId, timestamp, type, userId, appId, clusterId);
        }
    }
}
