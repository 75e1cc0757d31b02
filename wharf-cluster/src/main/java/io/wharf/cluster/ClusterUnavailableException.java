package io.wharf.cluster;

/**
 * A command was not committed: no majority of the group's members answered in time (too many
 * are down or cut off), or this node is closing. The command may still be committed later, once
 * a majority is back; a caller treats it as not acknowledged, never as applied.
 */
public final class ClusterUnavailableException extends RuntimeException {

    public ClusterUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
