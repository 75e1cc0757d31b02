package io.wharf.protocol.amqp;

import io.wharf.core.BrokerException;
import io.wharf.protocol.amqp.codec.AmqpException;
import io.wharf.protocol.amqp.codec.ReplyCode;
import io.wharf.storage.StorageException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Turns the broker's errors into the AMQP reply codes RabbitMQ would use for them. */
final class Errors {

    private Errors() {
    }

    /** The AMQP error for a failure of the method {@code classId.methodId} on {@code channel}. */
    static AmqpException toAmqp(Throwable failure, int channel, int classId, int methodId) {
        Throwable t = unwrap(failure);
        if (t instanceof AmqpException a) {
            return a;
        }
        if (t instanceof BrokerException b) {
            ReplyCode code = switch (b.kind()) {
                case NOT_FOUND -> ReplyCode.NOT_FOUND;
                case ACCESS_REFUSED -> ReplyCode.ACCESS_REFUSED;
                case PRECONDITION_FAILED -> ReplyCode.PRECONDITION_FAILED;
                case RESOURCE_LOCKED -> ReplyCode.RESOURCE_LOCKED;
                case NOT_ALLOWED -> ReplyCode.NOT_ALLOWED;
                case RESOURCE_ERROR -> ReplyCode.RESOURCE_ERROR;
                case COMMAND_INVALID -> ReplyCode.COMMAND_INVALID;
                case NOT_IMPLEMENTED -> ReplyCode.NOT_IMPLEMENTED;
                case INTERNAL -> ReplyCode.INTERNAL_ERROR;
            };
            return code.connectionLevel()
                    ? AmqpException.connection(code, classId, methodId, b.getMessage()).withChannel(channel)
                    : AmqpException.channel(code, channel, classId, methodId, b.getMessage());
        }
        if (t instanceof StorageException s) {
            return AmqpException.connection(ReplyCode.RESOURCE_ERROR, classId, methodId, "storage failed: " + s.getMessage())
                    .withChannel(channel);
        }
        return AmqpException.connection(ReplyCode.INTERNAL_ERROR, classId, methodId, t.toString()).withChannel(channel);
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
