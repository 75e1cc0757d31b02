package io.wharf.management.metrics;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.wharf.core.Broker;

import java.lang.management.ManagementFactory;
import java.util.Locale;
import java.util.Objects;

/**
 * The broker's metrics in the Prometheus exposition formats: the JVM and the process, client
 * connections, every queue, stream partition and consumer group, the storage, and the frames the
 * protocols refused. {@code docs/metrics.md} lists every metric.
 *
 * <p>Counters read the broker's own running totals when scraped, so measuring costs the broker's
 * hot paths nothing beyond what they already count. Queues, streams and groups come and go: each
 * scrape first brings the set of meters up to date with the broker (new objects get meters, the
 * meters of deleted ones go), so a deleted queue's series stop with the next scrape and nothing
 * here keeps the queue itself alive.
 *
 * <p>Thread-safe. Scrapes are serialised, so two at once cannot register the same meter twice or
 * read a meter half removed. A scrape reads in-memory counters (plus the names of the logs on disk
 * when queues or streams changed), and its work grows with the number of queues, partitions and
 * committed group offsets; it blocks, so call it off a network event loop.
 */
public final class BrokerMetrics implements AutoCloseable {

    /** Content type of the Prometheus text format 0.0.4, the default answer. */
    public static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    /** Content type of the OpenMetrics 1.0 text format, for scrapers that ask for it. */
    public static final String OPENMETRICS_TEXT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /** A scrape's body and the content type to answer it with. */
    public record Exposition(String contentType, String body) {
    }

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final StorageMeters storage;
    private final ConnectionMeters connections;
    private final QueueMeters queues;
    private final StreamMeters streams;
    private final ConsumerGroupMeters groups;
    private final ClusterMeters cluster;
    private boolean closed;

    /** Starts measuring {@code broker}, which must be open; {@link #close()} before closing it. */
    public BrokerMetrics(Broker broker) {
        Objects.requireNonNull(broker, "broker");
        registry.config().meterFilter(LINT_CLEAN_NAMES);
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        processCpuSeconds();
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        storage = new StorageMeters(broker, registry);
        connections = new ConnectionMeters(broker.connections(), registry);
        queues = new QueueMeters(broker, registry);
        streams = new StreamMeters(broker, registry);
        groups = new ConsumerGroupMeters(broker, registry);
        cluster = broker.cluster().map(c -> new ClusterMeters(c, registry)).orElse(null);
    }

    /**
     * Two of Micrometer's standard names fail {@code promtool check metrics}: {@code system.cpu.count}
     * reads as a summary's count, and {@code process.cpu.time} counts nanoseconds where Prometheus
     * wants base units. The first is renamed; the second is replaced by {@link #processCpuSeconds()}.
     */
    private static final MeterFilter LINT_CLEAN_NAMES = new MeterFilter() {
        @Override
        public MeterFilterReply accept(Meter.Id id) {
            return id.getName().equals("process.cpu.time") ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
        }

        @Override
        public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
        }
    };

    /** The CPU time the process has used, as {@code process_cpu_seconds_total} (Prometheus' own name for it). */
    private void processCpuSeconds() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof OperatingSystemMXBean os && os.getProcessCpuTime() >= 0) {
            FunctionCounter.builder("process.cpu", os, o -> o.getProcessCpuTime() / 1e9)
                    .baseUnit("seconds")
                    .description("The CPU time used by the broker's process")
                    .register(registry);
        }
    }

    /** Every metric in the Prometheus text format 0.0.4 ({@link #PROMETHEUS_TEXT}). */
    public String scrape() {
        return scrape(null).body();
    }

    /**
     * Every metric in the format the scraper's {@code Accept} header prefers: OpenMetrics text if
     * it names {@code application/openmetrics-text}, else the Prometheus text format. Protocol
     * buffers are never chosen, since the body is text.
     *
     * @param accept the request's {@code Accept} header, or null
     */
    public Exposition scrape(String accept) {
        String contentType = accept != null && accept.toLowerCase(Locale.ROOT).contains("application/openmetrics-text")
                ? OPENMETRICS_TEXT : PROMETHEUS_TEXT;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("the broker's metrics are closed");
            }
            refresh();
            return new Exposition(contentType, registry.scrape(contentType));
        }
    }

    private void refresh() {
        connections.refresh();
        boolean logsChanged = queues.refresh();
        logsChanged |= streams.refresh();
        groups.refresh();
        storage.refresh(logsChanged);
        if (cluster != null) {
            cluster.refresh();
        }
    }

    /** Stops measuring: unbinds every meter, stops timing fsyncs and closes the registry. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            storage.close();
            gc.close();
        } finally {
            if (cluster != null) {
                cluster.clear();
            }
            groups.clear();
            streams.clear();
            queues.clear();
            connections.clear();
            registry.clear();
            registry.close();
        }
    }
}
