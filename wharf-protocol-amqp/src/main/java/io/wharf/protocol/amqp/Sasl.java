package io.wharf.protocol.amqp;

import io.wharf.core.message.FieldTables;
import io.wharf.core.message.MalformedDataException;
import io.wharf.core.message.WireReader;
import io.wharf.core.exchange.FieldValues;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Reads the login and password out of the SASL responses AMQP clients send: PLAIN and AMQPLAIN. */
final class Sasl {

    static final String MECHANISMS = "PLAIN AMQPLAIN";

    /** A login and password; null fields when the response is malformed. */
    record Credentials(String login, String password) {
    }

    private Sasl() {
    }

    static Credentials parse(String mechanism, byte[] response) {
        return switch (mechanism) {
            case "PLAIN" -> plain(response);
            case "AMQPLAIN" -> amqplain(response);
            default -> null;
        };
    }

    /** RFC 4616: [authzid] NUL authcid NUL passwd. */
    private static Credentials plain(byte[] response) {
        String s = new String(response, StandardCharsets.UTF_8);
        int first = s.indexOf('\0');
        int second = first < 0 ? -1 : s.indexOf('\0', first + 1);
        if (second < 0) {
            return new Credentials(null, null);
        }
        return new Credentials(s.substring(first + 1, second), s.substring(second + 1));
    }

    /** A field table of LOGIN and PASSWORD, sent without the table's length prefix. */
    private static Credentials amqplain(byte[] response) {
        ByteBuffer withLength = ByteBuffer.allocate(response.length + 4).putInt(response.length).put(response).flip();
        try {
            Map<String, Object> t = FieldTables.read(new WireReader(withLength));
            return new Credentials(FieldValues.asString(t.get("LOGIN")), FieldValues.asString(t.get("PASSWORD")));
        } catch (MalformedDataException e) {
            return new Credentials(null, null);
        }
    }
}
