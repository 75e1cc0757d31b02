package io.wharf.core;

/**
 * The states every component that owns threads, files or sockets goes through, in this order.
 * A component that fails to start goes straight from STARTING to CLOSED.
 */
public enum Lifecycle {
    NEW, STARTING, RUNNING, CLOSING, CLOSED
}
