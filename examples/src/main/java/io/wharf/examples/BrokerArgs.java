package io.wharf.examples;

import com.rabbitmq.client.ConnectionFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The command line every example shares: an optional broker URI first, then the example's own
 * arguments. Without a URI argument the {@code AMQP_URI} environment variable is used, and without
 * that the local broker's default, {@value #DEFAULT_URI}.
 *
 * @param uri  the broker to connect to
 * @param rest the arguments that follow the URI, for the example itself
 */
public record BrokerArgs(String uri, List<String> rest) {

    /** Where {@code ./wharf} listens with its built-in defaults: user guest, virtual host "/". */
    public static final String DEFAULT_URI = "amqp://guest:guest@localhost:5672/%2F";

    /** The environment variable that names the broker when the command line does not. */
    public static final String ENV_VARIABLE = "AMQP_URI";

    public BrokerArgs {
        rest = List.copyOf(rest);
    }

    /** Reads the command line of a {@code main} method, falling back to the process environment. */
    public static BrokerArgs parse(String[] args) {
        return parse(args, System.getenv());
    }

    /** Reads a command line, falling back to the environment given. */
    public static BrokerArgs parse(String[] args, Map<String, String> env) {
        // A URI is recognised by its scheme so that the example's own arguments never need a placeholder.
        if (args.length > 0 && isAmqpUri(args[0])) {
            return new BrokerArgs(args[0], Arrays.asList(args).subList(1, args.length));
        }
        String fromEnv = env.get(ENV_VARIABLE);
        String uri = fromEnv == null || fromEnv.isBlank() ? DEFAULT_URI : fromEnv.strip();
        return new BrokerArgs(uri, Arrays.asList(args));
    }

    /** A connection factory for {@link #uri()}. */
    public ConnectionFactory connectionFactory() {
        return connectionFactory(uri);
    }

    /**
     * A connection factory for the URI given, e.g. {@code amqp://guest:guest@localhost:5672/%2F}.
     *
     * @throws IllegalArgumentException when the URI is malformed or names an unsupported scheme
     */
    public static ConnectionFactory connectionFactory(String uri) {
        ConnectionFactory factory = new ConnectionFactory();
        try {
            factory.setUri(uri);
        } catch (Exception e) {
            // setUri declares URI syntax and TLS set-up failures alike; all mean the URI cannot be used.
            throw new IllegalArgumentException("not a usable AMQP URI: " + uri + " (" + e.getMessage() + ")", e);
        }
        return factory;
    }

    private static boolean isAmqpUri(String arg) {
        return arg.startsWith("amqp://") || arg.startsWith("amqps://");
    }
}
