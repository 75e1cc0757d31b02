package io.wharf.core.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.wharf.storage.log.LogConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

class StreamConfigsTest {

    @Test
    void shouldKeepEveryRecordOfAStreamThatOnlyCompacts() {
        LogConfig compacted = Stream.configure(LogConfig.DEFAULT, Map.of("cleanup.policy", "compact", "retention.ms", "1000",
                "retention.bytes", "2048"));
        assertThat(compacted.retentionMs()).isEqualTo(-1);
        assertThat(compacted.retentionBytes()).isEqualTo(-1);

        LogConfig both = Stream.configure(LogConfig.DEFAULT, Map.of("cleanup.policy", "compact,delete", "retention.ms", "1000"));
        assertThat(both.retentionMs()).isEqualTo(1000);
        assertThat(Stream.configure(LogConfig.DEFAULT, Map.of("retention.ms", "1000")).retentionMs()).isEqualTo(1000);
    }

    @Test
    void shouldAcceptTheSettingsKafkaStreamsGivesItsTopicsAndNothingItCannotHonour() {
        assertThat(StreamConfigs.problem("cleanup.policy", "compact")).isNull();
        assertThat(StreamConfigs.problem("cleanup.policy", "delete, compact")).isNull();
        assertThat(StreamConfigs.problem("cleanup.policy", "")).contains("delete, compact or both");
        assertThat(StreamConfigs.problem("cleanup.policy", "shred")).contains("delete, compact or both");
        assertThat(StreamConfigs.problem("message.timestamp.type", "CreateTime")).isNull();
        assertThat(StreamConfigs.problem("message.timestamp.type", "LogAppendTime")).contains("not supported");
        assertThat(StreamConfigs.problem("segment.bytes", "52428800")).isNull();
        assertThat(StreamConfigs.problem("retention.ms", "-1")).isNull();
        assertThat(StreamConfigs.problem("retention.ms", "soon")).contains("whole number");
        assertThat(StreamConfigs.problem("min.insync.replicas", "2")).contains("unsupported");
    }
}
