package io.wharf.core;

import io.wharf.storage.Storage;
import io.wharf.storage.StorageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BrokerTest {

    @TempDir
    Path dir;

    @Test
    void shouldOpenAndCloseItsStorage() throws Exception {
        Broker broker = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)));
        assertThat(broker.state()).isEqualTo(Lifecycle.RUNNING);
        broker.storage().metadata().put("k", new byte[] {1}).get();

        broker.close();

        assertThat(broker.state()).isEqualTo(Lifecycle.CLOSED);
        try (Broker again = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)))) {
            assertThat(again.storage().metadata().get("k")).isPresent();
        }
    }

    @Test
    void shouldRefuseADataDirectoryAnotherBrokerHolds() throws Exception {
        try (Broker first = Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir)))) {
            assertThatThrownBy(() -> Broker.open(BrokerSettings.defaults(Storage.Options.defaults(dir))))
                    .isInstanceOf(StorageException.class).hasMessageContaining("in use");
            assertThat(first.state()).isEqualTo(Lifecycle.RUNNING);
        }
    }
}
