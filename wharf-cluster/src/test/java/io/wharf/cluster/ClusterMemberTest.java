package io.wharf.cluster;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterMemberTest {

    @Test
    void shouldReadAMemberAsTheConfigurationNamesIt() {
        assertThat(ClusterMember.parse(" n1@127.0.0.1:7101 ")).isEqualTo(new ClusterMember("n1", "127.0.0.1", 7101));
        assertThat(ClusterMember.parse("node-2.eu@broker2.example:7102").address()).isEqualTo("broker2.example:7102");
        ClusterMember v6 = ClusterMember.parse("n3@[::1]:7103");
        assertThat(v6.host()).isEqualTo("::1");
        assertThat(v6.address()).isEqualTo("[::1]:7103");
        assertThat(v6).hasToString("n3@[::1]:7103");
    }

    @Test
    void shouldSayWhatIsWrongWithAMember() {
        assertThatThrownBy(() -> ClusterMember.parse("127.0.0.1:7101")).hasMessageContaining("id@host:port");
        assertThatThrownBy(() -> ClusterMember.parse("n1@127.0.0.1")).hasMessageContaining("id@host:port");
        assertThatThrownBy(() -> ClusterMember.parse("n1@host:port")).hasMessageContaining("is not a port");
        assertThatThrownBy(() -> ClusterMember.parse("n1@host:70000")).hasMessageContaining("1 to 65535");
        assertThatThrownBy(() -> ClusterMember.parse("n1@::1:7101")).hasMessageContaining("brackets");
        assertThatThrownBy(() -> ClusterMember.parse("n 1@host:7101")).hasMessageContaining("node id");
    }
}
