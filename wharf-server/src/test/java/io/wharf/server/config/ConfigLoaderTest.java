package io.wharf.server.config;

import io.wharf.storage.log.FsyncPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("wharf.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    private static ConfigException problemsOf(Path file, Map<String, String> env, Map<String, String> overrides) {
        try {
            ConfigLoader.load(file, env, overrides);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("the configuration was accepted");
    }

    @Test
    void shouldUseTheDefaultsWhenNothingIsGiven() throws Exception {
        WharfConfig c = ConfigLoader.load(null, Map.of(), Map.of());

        assertThat(c.dataDir()).isEqualTo(Path.of("./data"));
        assertThat(c.storage().fsync()).isEqualTo(FsyncPolicy.ALWAYS);
        assertThat(c.storage().segmentSize().bytes()).isEqualTo(1L << 30);
        assertThat(c.storage().segmentAge()).isEqualTo(Duration.ofDays(7));
        assertThat(c.storage().indexInterval().bytes()).isEqualTo(4096);
        assertThat(c.http().port()).isEqualTo(15672);
        assertThat(c.logging().level()).isEqualTo("info");
    }

    @Test
    void shouldLetTheFileThenTheEnvironmentThenOverridesWin() throws Exception {
        Path f = file("""
                storage:
                  fsync: 100ms
                  segment-size: 64MiB
                http:
                  port: 8080
                """);

        WharfConfig c = ConfigLoader.load(f,
                Map.of("WHARF_HTTP_PORT", "9090", "WHARF_STORAGE_SEGMENT_AGE", "2h", "PATH", "/bin"),
                Map.of("http.port", "7070"));

        assertThat(c.storage().fsync()).isEqualTo(FsyncPolicy.interval(Duration.ofMillis(100)));
        assertThat(c.storage().segmentSize().bytes()).isEqualTo(64L << 20);
        assertThat(c.storage().segmentAge()).isEqualTo(Duration.ofHours(2));
        assertThat(c.http().port()).isEqualTo(7070);
    }

    @Test
    void shouldReadTheClusterFromTheEnvironmentAsTheDocsShowIt() throws Exception {
        WharfConfig c = ConfigLoader.load(null, Map.of("WHARF_CLUSTER_NODE_ID", "n2", "WHARF_CLUSTER_PORT", "7102",
                "WHARF_CLUSTER_MEMBERS", "[n1@127.0.0.1:7101, n2@127.0.0.1:7102, \"n3@[::1]:7103\"]"), Map.of());

        assertThat(c.cluster().enabled()).isTrue();
        assertThat(c.cluster().members()).extracting(Object::toString)
                .containsExactly("n1@127.0.0.1:7101", "n2@127.0.0.1:7102", "n3@[::1]:7103");
        assertThat(c.cluster().self().port()).isEqualTo(7102);
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).cluster().enabled()).as("no members: a single node").isFalse();
    }

    @Test
    void shouldRejectAClusterThisNodeIsNotAMemberOfOrThatNamesANodeTwice() {
        assertThat(problemsOf(null, Map.of(), Map.of("cluster.node-id", "n4",
                "cluster.members", "[n1@h1:7101, n2@h2:7101]")).problems()).singleElement().asString()
                .contains("cluster.node-id").contains("[n1, n2]");
        assertThat(problemsOf(null, Map.of(), Map.of("cluster.node-id", "n1", "cluster.port", "7000",
                "cluster.members", "[n1@h1:7101, n2@h2:7101]")).problems()).singleElement().asString()
                .contains("cluster.port").contains("7101");
        assertThat(problemsOf(null, Map.of(), Map.of("cluster.node-id", "n1",
                "cluster.members", "[n1@h1:7101, n1@h2:7101]")).problems()).singleElement().asString()
                .contains("names node 'n1' twice");
        assertThat(problemsOf(null, Map.of(), Map.of("cluster.node-id", "n1",
                "cluster.members", "[n1@h1, n2@h2:7101]")).problems()).singleElement().asString()
                .contains("entry 0").contains("id@host:port");
        assertThat(problemsOf(null, Map.of(), Map.of("cluster.node-id", "n1")).problems()).singleElement().asString()
                .contains("cluster.members");
    }

    @Test
    void shouldRejectAnUnknownKeyAndSuggestTheNearestOne() throws Exception {
        Path f = file("""
                storage:
                  fsynk: never
                """);

        assertThat(problemsOf(f, Map.of(), Map.of()).problems()).singleElement().asString()
                .contains("unknown key 'storage.fsynk'").contains(f.toString()).contains("did you mean 'storage.fsync'");
    }

    @Test
    void shouldRejectAnUnknownTopLevelKeyListingTheKnownOnes() throws Exception {
        Path f = file("colour: blue\n");

        assertThat(problemsOf(f, Map.of(), Map.of()).problems()).singleElement().asString()
                .contains("unknown key 'colour'").contains("data-dir").contains("storage");
    }

    @Test
    void shouldRejectAnUnknownEnvironmentVariable() {
        assertThat(problemsOf(null, Map.of("WHARF_STORAGE_FSYNK", "never"), Map.of()).problems()).singleElement()
                .asString().contains("WHARF_STORAGE_FSYNK").contains("WHARF_STORAGE_FSYNC");
    }

    @Test
    void shouldNameTheKeyValueAndOriginOfAWrongValue() throws Exception {
        Path f = file("""
                storage:
                  writer-threads: many
                  segment-size: 12 parsecs
                  preallocate: maybe
                http:
                  port: 70000
                """);

        ConfigException e = problemsOf(f, Map.of("WHARF_STORAGE_FSYNC", "sometimes"), Map.of());

        assertThat(e.problems()).hasSize(5);
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .contains("storage.writer-threads = 'many'").contains(f.toString()).contains("whole number"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .contains("storage.segment-size = '12 parsecs'").contains("not a size"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .contains("storage.preallocate = 'maybe'").contains("true or false"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .contains("http.port = '70000'").contains("between 0 and 65535"));
        assertThat(e.problems()).anySatisfy(p -> assertThat(p)
                .contains("storage.fsync = 'sometimes'").contains("environment variable WHARF_STORAGE_FSYNC")
                .contains("always, never"));
    }

    @Test
    void shouldRejectValuesOutOfRange() throws Exception {
        Path f = file("""
                storage:
                  segment-size: 4KiB
                  segment-age: 10ms
                logging:
                  level: chatty
                """);

        assertThat(problemsOf(f, Map.of(), Map.of()).problems()).hasSize(3)
                .anySatisfy(p -> assertThat(p).contains("storage.segment-size").contains("between 1MiB"))
                .anySatisfy(p -> assertThat(p).contains("storage.segment-age").contains("at least 1s"))
                .anySatisfy(p -> assertThat(p).contains("logging.level").contains("debug, error"));
    }

    @Test
    void shouldReadDeclaredStreamsWithTheirSettingsUnderKafkasNames() throws Exception {
        Path f = file("""
                vhosts: ["/", "audit"]
                streams:
                  - name: orders
                    partitions: 3
                    retention-age: 7d
                    retention-size: 10GiB
                  - name: trail
                    vhost: audit
                    segment-size: 64MiB
                  - name: old-events
                    delete: true
                """);

        WharfConfig c = ConfigLoader.load(f, Map.of(), Map.of());

        assertThat(c.streams()).containsExactly(
                new WharfConfig.StreamConfig("/", "orders", 3,
                        Map.of("retention.ms", "604800000", "retention.bytes", String.valueOf(10L << 30)), false),
                new WharfConfig.StreamConfig("audit", "trail", 1, Map.of("segment.bytes", String.valueOf(64 << 20)), false),
                new WharfConfig.StreamConfig("/", "old-events", 1, Map.of(), true));
        assertThat(ConfigLoader.load(null, Map.of(), Map.of()).streams()).isEmpty();
    }

    @Test
    void shouldRejectDeclaredStreamsThatCannotBe() throws Exception {
        Path f = file("""
                streams:
                  - name: orders
                    partitions: 0
                  - name: orders
                  - partitions: 2
                  - name: elsewhere
                    vhost: nowhere
                    retention-age: soon
                    segment-size: 100
                    delete: maybe
                    colour: blue
                """);

        assertThat(problemsOf(f, Map.of(), Map.of()).problems()).hasSize(8)
                .anySatisfy(p -> assertThat(p).contains("unknown key 'streams[3].colour'"))
                .anySatisfy(p -> assertThat(p).contains("streams[0].partitions").contains("from 1 to 10000"))
                .anySatisfy(p -> assertThat(p).contains("stream 'orders'").contains("declared twice"))
                .anySatisfy(p -> assertThat(p).contains("streams[2] needs a name"))
                .anySatisfy(p -> assertThat(p).contains("streams[3] names vhost 'nowhere'"))
                .anySatisfy(p -> assertThat(p).contains("streams[3].retention-age is invalid"))
                .anySatisfy(p -> assertThat(p).contains("streams[3].segment-size").contains("segment.bytes must be between 1024"))
                .anySatisfy(p -> assertThat(p).contains("streams[3].delete must be true or false"));
    }

    @Test
    void shouldReportAMissingFile() {
        Path missing = dir.resolve("nope.yaml");

        assertThat(problemsOf(missing, Map.of(), Map.of()).problems()).singleElement().asString()
                .contains(missing.toString()).contains("does not exist");
    }

    @Test
    void shouldReportWhereTheYamlIsBroken() throws Exception {
        Path f = file("""
                storage:
                  fsync: always
                 http: [unclosed
                """);

        assertThat(problemsOf(f, Map.of(), Map.of()).problems()).singleElement().asString()
                .contains("not valid YAML").contains("line ");
    }

    @Test
    void shouldRejectAValueWhereASectionBelongsAndTheOtherWayRound() throws Exception {
        Path f = file("""
                storage: fast
                data-dir:
                  path: /x
                """);

        assertThat(problemsOf(f, Map.of(), Map.of()).problems()).hasSize(2)
                .anySatisfy(p -> assertThat(p).contains("'storage'").contains("must be a section"))
                .anySatisfy(p -> assertThat(p).contains("'data-dir'").contains("single value"));
    }

    @Test
    void shouldAcceptAnEmptyFile() throws Exception {
        assertThat(ConfigLoader.load(file(""), Map.of(), Map.of()).http().port()).isEqualTo(15672);
    }

    @Test
    void shouldRejectAFileThatIsNotAMapping() throws Exception {
        assertThat(problemsOf(file("- a\n- b\n"), Map.of(), Map.of()).problems()).singleElement().asString()
                .contains("must hold a mapping");
    }

    @Test
    void shouldParseSizesAndDurations() {
        assertThat(ByteSize.parse("4096").bytes()).isEqualTo(4096);
        assertThat(ByteSize.parse("64 KiB").bytes()).isEqualTo(65536);
        assertThat(ByteSize.parse("10MB").bytes()).isEqualTo(10_000_000);
        assertThat(ByteSize.parse("1gib").toString()).isEqualTo("1GiB");
        assertThatThrownBy(() -> ByteSize.parse("-1")).isInstanceOf(IllegalArgumentException.class);
        assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
        assertThat(Durations.parse("PT5M")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Durations.format(Duration.ofMinutes(5))).isEqualTo("5m");
        assertThatThrownBy(() -> Durations.parse("5")).hasMessageContaining("unit");
    }

    @Test
    void shouldNameTheEnvironmentVariableOfEveryKey() {
        assertThat(ConfigLoader.environmentVariable("storage.segment-size")).isEqualTo("WHARF_STORAGE_SEGMENT_SIZE");
        assertThat(ConfigLoader.defaultValues()).containsEntry("storage.fsync", "always").containsKey("data-dir");
    }
}
