package io.wharf.core.session;

import java.nio.charset.StandardCharsets;

/** SASL PLAIN (RFC 4616): {@code [authzid] NUL authcid NUL passwd}. */
final class PlainMechanism extends PasswordMechanism {

    @Override
    public String name() {
        return "PLAIN";
    }

    @Override
    Credentials read(byte[] response) {
        String s = new String(response, StandardCharsets.UTF_8);
        int first = s.indexOf('\0');
        int second = first < 0 ? -1 : s.indexOf('\0', first + 1);
        if (second < 0) {
            return new Credentials(null, null);
        }
        return new Credentials(s.substring(first + 1, second), s.substring(second + 1));
    }
}
