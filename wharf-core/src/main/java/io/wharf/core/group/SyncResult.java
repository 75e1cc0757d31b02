package io.wharf.core.group;

/** The answer to a sync: the member's assignment in the group's current generation. */
public record SyncResult(GroupError error, String protocolType, String protocol, byte[] assignment) {

    static SyncResult refused(GroupError error) {
        return new SyncResult(error, null, null, new byte[0]);
    }
}
