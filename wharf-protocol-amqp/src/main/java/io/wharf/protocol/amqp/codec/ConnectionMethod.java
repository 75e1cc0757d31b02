package io.wharf.protocol.amqp.codec;

import static io.wharf.protocol.amqp.codec.ArgWriter.bit;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/** The methods of the connection class (10), which open, tune and close a connection on channel 0. */
public sealed interface ConnectionMethod extends Method {

    int CLASS_ID = 10;

    @Override
    default int classId() {
        return CLASS_ID;
    }

    /** connection.start (10): the server's version, properties and SASL mechanisms. */
    record Start(int versionMajor, int versionMinor, Map<String, Object> serverProperties, byte[] mechanisms,
                 byte[] locales) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 10;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeByte(versionMajor);
            out.writeByte(versionMinor);
            ArgWriter.table(out, serverProperties);
            ArgWriter.longStr(out, mechanisms);
            ArgWriter.longStr(out, locales);
        }

        static Start read(ArgReader in) {
            return new Start(in.octet(), in.octet(), in.table(), in.longStr(), in.longStr());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Start s && versionMajor == s.versionMajor && versionMinor == s.versionMinor
                    && Objects.equals(serverProperties, s.serverProperties) && Arrays.equals(mechanisms, s.mechanisms)
                    && Arrays.equals(locales, s.locales);
        }

        @Override
        public int hashCode() {
            return Objects.hash(versionMajor, versionMinor, serverProperties, Arrays.hashCode(mechanisms),
                    Arrays.hashCode(locales));
        }

        @Override
        public String toString() {
            return "Start[versionMajor=" + versionMajor + ", versionMinor=" + versionMinor + ", serverProperties="
                    + serverProperties + ", mechanisms=" + text(mechanisms) + ", locales=" + text(locales) + "]";
        }
    }

    /** connection.start-ok (11): the client's properties and its chosen mechanism's response. */
    record StartOk(Map<String, Object> clientProperties, String mechanism, byte[] response, String locale)
            implements ConnectionMethod {

        @Override
        public int methodId() {
            return 11;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.table(out, clientProperties);
            ArgWriter.shortStr(out, mechanism);
            ArgWriter.longStr(out, response);
            ArgWriter.shortStr(out, locale);
        }

        static StartOk read(ArgReader in) {
            return new StartOk(in.table(), in.shortStr(), in.longStr(), in.shortStr());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof StartOk s && Objects.equals(clientProperties, s.clientProperties)
                    && Objects.equals(mechanism, s.mechanism) && Arrays.equals(response, s.response)
                    && Objects.equals(locale, s.locale);
        }

        @Override
        public int hashCode() {
            return Objects.hash(clientProperties, mechanism, Arrays.hashCode(response), locale);
        }

        @Override
        public String toString() {
            // The response holds credentials (PLAIN sends the password), so it never reaches a log.
            return "StartOk[clientProperties=" + clientProperties + ", mechanism=" + mechanism + ", response="
                    + redacted(response) + ", locale=" + locale + "]";
        }
    }

    /** connection.secure (20): a SASL challenge. */
    record Secure(byte[] challenge) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 20;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.longStr(out, challenge);
        }

        static Secure read(ArgReader in) {
            return new Secure(in.longStr());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secure s && Arrays.equals(challenge, s.challenge);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(challenge);
        }

        @Override
        public String toString() {
            return "Secure[challenge=" + redacted(challenge) + "]";
        }
    }

    /** connection.secure-ok (21): the client's answer to a challenge. */
    record SecureOk(byte[] response) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 21;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.longStr(out, response);
        }

        static SecureOk read(ArgReader in) {
            return new SecureOk(in.longStr());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SecureOk s && Arrays.equals(response, s.response);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(response);
        }

        @Override
        public String toString() {
            return "SecureOk[response=" + redacted(response) + "]";
        }
    }

    /**
     * connection.tune (30): the server's limits.
     *
     * @param frameMax unsigned 32-bit; 0 means no limit
     */
    record Tune(int channelMax, long frameMax, int heartbeat) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 30;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(channelMax);
            out.writeInt((int) frameMax);
            out.writeShort(heartbeat);
        }

        static Tune read(ArgReader in) {
            return new Tune(in.shortInt(), in.longUnsigned(), in.shortInt());
        }
    }

    /**
     * connection.tune-ok (31): the limits the client settles on.
     *
     * @param frameMax unsigned 32-bit; 0 means no limit
     */
    record TuneOk(int channelMax, long frameMax, int heartbeat) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 31;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(channelMax);
            out.writeInt((int) frameMax);
            out.writeShort(heartbeat);
        }

        static TuneOk read(ArgReader in) {
            return new TuneOk(in.shortInt(), in.longUnsigned(), in.shortInt());
        }
    }

    /** connection.open (40): the virtual host to use; the reserved fields were capabilities and insist. */
    record Open(String virtualHost, String reserved1, boolean reserved2) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 40;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, virtualHost);
            ArgWriter.shortStr(out, reserved1);
            out.writeByte(bit(reserved2, 0));
        }

        static Open read(ArgReader in) {
            return new Open(in.shortStr(), in.shortStr(), in.bit());
        }
    }

    /** connection.open-ok (41); the reserved field was known-hosts. */
    record OpenOk(String reserved1) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 41;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, reserved1);
        }

        static OpenOk read(ArgReader in) {
            return new OpenOk(in.shortStr());
        }
    }

    /**
     * connection.close (50).
     *
     * @param failingClassId  the class of the method that caused the close, or 0
     * @param failingMethodId the method that caused the close, or 0
     */
    record Close(int replyCode, String replyText, int failingClassId, int failingMethodId)
            implements ConnectionMethod {

        @Override
        public int methodId() {
            return 50;
        }

        @Override
        public void write(ByteBuf out) {
            out.writeShort(replyCode);
            ArgWriter.shortStr(out, replyText);
            out.writeShort(failingClassId);
            out.writeShort(failingMethodId);
        }

        static Close read(ArgReader in) {
            return new Close(in.shortInt(), in.shortStr(), in.shortInt(), in.shortInt());
        }
    }

    /** connection.close-ok (51). */
    record CloseOk() implements ConnectionMethod {

        static final CloseOk INSTANCE = new CloseOk();

        @Override
        public int methodId() {
            return 51;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static CloseOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** connection.blocked (60): the server stopped reading publishes, e.g. on a resource alarm. */
    record Blocked(String reason) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 60;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.shortStr(out, reason);
        }

        static Blocked read(ArgReader in) {
            return new Blocked(in.shortStr());
        }
    }

    /** connection.unblocked (61). */
    record Unblocked() implements ConnectionMethod {

        static final Unblocked INSTANCE = new Unblocked();

        @Override
        public int methodId() {
            return 61;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static Unblocked read(ArgReader in) {
            return INSTANCE;
        }
    }

    /** connection.update-secret (70): a fresh credential, e.g. a renewed token, for the open connection. */
    record UpdateSecret(byte[] newSecret, String reason) implements ConnectionMethod {

        @Override
        public int methodId() {
            return 70;
        }

        @Override
        public void write(ByteBuf out) {
            ArgWriter.longStr(out, newSecret);
            ArgWriter.shortStr(out, reason);
        }

        static UpdateSecret read(ArgReader in) {
            return new UpdateSecret(in.longStr(), in.shortStr());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UpdateSecret u && Arrays.equals(newSecret, u.newSecret)
                    && Objects.equals(reason, u.reason);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(newSecret) + Objects.hashCode(reason);
        }

        @Override
        public String toString() {
            return "UpdateSecret[newSecret=" + redacted(newSecret) + ", reason=" + reason + "]";
        }
    }

    /** connection.update-secret-ok (71). */
    record UpdateSecretOk() implements ConnectionMethod {

        static final UpdateSecretOk INSTANCE = new UpdateSecretOk();

        @Override
        public int methodId() {
            return 71;
        }

        @Override
        public void write(ByteBuf out) {
        }

        static UpdateSecretOk read(ArgReader in) {
            return INSTANCE;
        }
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "null" : new String(bytes, StandardCharsets.UTF_8);
    }

    private static String redacted(byte[] bytes) {
        return bytes == null ? "null" : "<" + bytes.length + " bytes>";
    }
}
