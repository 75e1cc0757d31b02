package io.wharf.protocol.amqp.codec;

import io.netty.buffer.ByteBuf;

/**
 * An AMQP 0-9-1 method with its arguments. There is one record per method, nested in the interface of its
 * class: {@link ConnectionMethod}, {@link ChannelMethod}, {@link AccessMethod}, {@link ExchangeMethod},
 * {@link QueueMethod}, {@link BasicMethod}, {@link TxMethod} and {@link ConfirmMethod}. {@link Methods#read}
 * decodes them.
 *
 * <p>Short-string arguments must not be null. A null table is written as an empty one.
 */
public sealed interface Method
        permits ConnectionMethod, ChannelMethod, AccessMethod, ExchangeMethod, QueueMethod, BasicMethod, TxMethod,
        ConfirmMethod {

    int classId();

    int methodId();

    /** The method's name as the spec writes it, e.g. "basic.publish". */
    default String name() {
        return Methods.name(classId(), methodId());
    }

    /** Whether a content header and body follow this method. */
    default boolean hasContent() {
        return false;
    }

    /**
     * Writes the arguments (not the class and method ids) in wire format.
     *
     * @throws IllegalArgumentException if a short string is longer than 255 bytes in UTF-8
     */
    void write(ByteBuf out);
}
