package io.wharf.protocol.amqp.codec;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.util.List;
import java.util.Map;

/**
 * One instance of every method, with arguments that differ from their defaults and bits in varied patterns.
 * Tables have at most one entry per level, so their encoding does not depend on map order and can be
 * compared byte for byte with another implementation's.
 */
final class MethodSamples {

    private MethodSamples() {
    }

    static List<Method> all() {
        return List.of(
                new ConnectionMethod.Start(0, 9, Map.of("capabilities", Map.of("publisher_confirms", true)),
                        "PLAIN AMQPLAIN".getBytes(UTF_8), "en_US".getBytes(UTF_8)),
                new ConnectionMethod.StartOk(Map.of("product", "RabbitMQ Java client"), "PLAIN",
                        "\0guest\0secret".getBytes(UTF_8), "en_US"),
                new ConnectionMethod.Secure("challenge".getBytes(UTF_8)),
                new ConnectionMethod.SecureOk("answer".getBytes(UTF_8)),
                new ConnectionMethod.Tune(2047, 131072, 60),
                new ConnectionMethod.TuneOk(65535, 0xFFFFFFFFL, 30),
                new ConnectionMethod.Open("/", "", true),
                new ConnectionMethod.OpenOk(""),
                new ConnectionMethod.Close(320, "CONNECTION_FORCED - broker shutdown", 0, 0),
                new ConnectionMethod.CloseOk(),
                new ConnectionMethod.Blocked("low on memory"),
                new ConnectionMethod.Unblocked(),
                new ConnectionMethod.UpdateSecret("token-2".getBytes(UTF_8), "refresh"),
                new ConnectionMethod.UpdateSecretOk(),

                new ChannelMethod.Open(""),
                new ChannelMethod.OpenOk(new byte[0]),
                new ChannelMethod.Flow(true),
                new ChannelMethod.FlowOk(false),
                new ChannelMethod.Close(404, "NOT_FOUND - no queue 'q' in vhost '/'", 50, 10),
                new ChannelMethod.CloseOk(),

                new AccessMethod.Request("/data", true, false, true, false, true),
                new AccessMethod.RequestOk(1),

                new ExchangeMethod.Declare(0, "logs", "topic", false, true, false, true, false,
                        Map.of("alternate-exchange", "unrouted")),
                new ExchangeMethod.DeclareOk(),
                new ExchangeMethod.Delete(0, "logs", true, false),
                new ExchangeMethod.DeleteOk(),
                new ExchangeMethod.Bind(0, "dest", "src", "a.*", true, Map.of()),
                new ExchangeMethod.BindOk(),
                new ExchangeMethod.Unbind(0, "dest", "src", "a.#", false, Map.of("x-match", "all")),
                new ExchangeMethod.UnbindOk(),

                new QueueMethod.Declare(0, "orders", false, true, false, true, false,
                        Map.of("x-queue-type", "quorum")),
                new QueueMethod.DeclareOk("orders", 42, 3),
                new QueueMethod.Bind(0, "orders", "amq.direct", "orders", false, Map.of("x-weight", 3)),
                new QueueMethod.BindOk(),
                new QueueMethod.Purge(0, "orders", true),
                new QueueMethod.PurgeOk(7),
                new QueueMethod.Delete(0, "orders", true, false, true),
                new QueueMethod.DeleteOk(9),
                new QueueMethod.Unbind(0, "orders", "amq.direct", "orders", Map.of()),
                new QueueMethod.UnbindOk(),

                new BasicMethod.Qos(65536, 250, true),
                new BasicMethod.QosOk(),
                new BasicMethod.Consume(0, "orders", "ctag-1", false, true, false, true, Map.of("x-priority", 5)),
                new BasicMethod.ConsumeOk("ctag-1"),
                new BasicMethod.Cancel("ctag-1", true),
                new BasicMethod.CancelOk("ctag-1"),
                new BasicMethod.Publish(0, "amq.topic", "eu.orders.créé", true, false),
                new BasicMethod.Return(312, "NO_ROUTE", "amq.topic", "a.b"),
                new BasicMethod.Deliver("ctag-1", 1L << 40, true, "amq.topic", "a.b"),
                new BasicMethod.Get(0, "orders", true),
                new BasicMethod.GetOk(17, false, "", "orders", 5),
                new BasicMethod.GetEmpty(""),
                new BasicMethod.Ack(123_456_789_012L, true),
                new BasicMethod.Reject(5, false),
                new BasicMethod.RecoverAsync(true),
                new BasicMethod.Recover(false),
                new BasicMethod.RecoverOk(),
                new BasicMethod.Nack(99, false, true),

                new ConfirmMethod.Select(false),
                new ConfirmMethod.SelectOk(),

                new TxMethod.Select(),
                new TxMethod.SelectOk(),
                new TxMethod.Commit(),
                new TxMethod.CommitOk(),
                new TxMethod.Rollback(),
                new TxMethod.RollbackOk());
    }
}
