package io.wharf.core;

import io.wharf.storage.Storage;

/**
 * What the broker core needs to start, already validated by whoever built it.
 *
 * @param storage where and how the broker keeps its data
 */
public record BrokerSettings(Storage.Options storage) {
}
