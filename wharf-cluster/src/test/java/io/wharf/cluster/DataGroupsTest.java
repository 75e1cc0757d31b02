package io.wharf.cluster;

import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftPeer;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Every node lays out the same data groups from the same member list, in any order it lists them. */
class DataGroupsTest {

    private static final List<ClusterMember> MEMBERS = List.of(ClusterMember.parse("n2@127.0.0.1:7102"),
            ClusterMember.parse("n1@127.0.0.1:7101"), ClusterMember.parse("n3@127.0.0.1:7103"));

    private static List<String> peers(RaftGroup g) {
        return g.getPeers().stream().map(RaftPeer::getId).map(Object::toString).sorted().toList();
    }

    @Test
    void shouldPutEachGroupOnReplicationFactorMembersStartingAtItsOwn() {
        DataGroups groups = DataGroups.layout(MEMBERS, 6, 2);
        assertThat(groups.count()).isEqualTo(6);
        assertThat(peers(groups.group(0))).containsExactly("n1", "n2");
        assertThat(peers(groups.group(1))).containsExactly("n2", "n3");
        assertThat(peers(groups.group(2))).containsExactly("n1", "n3");
        assertThat(peers(groups.group(3))).containsExactly("n1", "n2");
        Set<Object> ids = new HashSet<>();
        groups.all().forEach(g -> ids.add(g.getGroupId()));
        assertThat(ids).as("a group id of its own for each").hasSize(6);
        assertThat(groups.indexOf(groups.group(4).getGroupId())).isEqualTo(4);
    }

    @Test
    void shouldLayOutTheSameGroupsWhateverTheOrderOfTheMembers() {
        DataGroups a = DataGroups.layout(MEMBERS, 6, 3);
        DataGroups b = DataGroups.layout(List.of(MEMBERS.get(2), MEMBERS.get(0), MEMBERS.get(1)), 6, 3);
        for (int i = 0; i < 6; i++) {
            assertThat(peers(a.group(i))).isEqualTo(peers(b.group(i))).hasSize(3);
            assertThat(a.group(i).getGroupId()).isEqualTo(b.group(i).getGroupId());
        }
        assertThat(a.indexOf("0b7c7c4e-3a7e-4d8e-9a55-0c1e6a0f4b1d/0")).isEqualTo(b.indexOf("0b7c7c4e-3a7e-4d8e-9a55-0c1e6a0f4b1d/0"))
                .isBetween(0, 5);
        // More replicas than members: every member.
        assertThat(peers(DataGroups.layout(MEMBERS, 1, 5).group(0))).containsExactly("n1", "n2", "n3");
    }
}
