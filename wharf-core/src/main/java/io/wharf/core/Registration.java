package io.wharf.core;

/** Undoes a registration (a connection, a source of information); closing it twice is harmless. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    @Override
    void close();
}
