package io.wharf.core.session;

import io.wharf.core.exchange.FieldValues;
import io.wharf.core.message.FieldTables;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.message.WireReader;

import java.nio.ByteBuffer;
import java.util.Map;

/** AMQPLAIN, which older AMQP 0-9-1 clients use: a field table of LOGIN and PASSWORD sent without its length prefix. */
final class AmqPlainMechanism extends PasswordMechanism {

    @Override
    public String name() {
        return "AMQPLAIN";
    }

    @Override
    Credentials read(byte[] response) {
        ByteBuffer withLength = ByteBuffer.allocate(response.length + 4).putInt(response.length).put(response).flip();
        try {
            Map<String, Object> t = FieldTables.read(new WireReader(withLength));
            return new Credentials(FieldValues.asString(t.get("LOGIN")), FieldValues.asString(t.get("PASSWORD")));
        } catch (MalformedDataException e) {
            return new Credentials(null, null);
        }
    }
}
