package io.wharf.cluster;

/**
 * A command was not acknowledged: no majority of the group's members answered in time (too many
 * are down or cut off), this node is closing or did not apply it in time, or applying it failed
 * (a bug: appliers do not fail). The command may still be committed later, once a majority is
 * back; a caller treats it as not acknowledged, never as applied.
 */
public final class ClusterUnavailableException extends RuntimeException {

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
