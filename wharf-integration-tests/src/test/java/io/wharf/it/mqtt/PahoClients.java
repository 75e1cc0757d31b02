package io.wharf.it.mqtt;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/** The Eclipse Paho v3 clients a test opened: disconnected and closed after each test, or sooner with {@link #closeAll()}. */
final class PahoClients implements AfterEachCallback {

    private final List<MqttClient> clients = new ArrayList<>();

    /** Keeps {@code c} to close it after the test; returns it. */
    MqttClient add(MqttClient c) {
        clients.add(c);
        return c;
    }

    /** How many clients the test opened so far. */
    int count() {
        return clients.size();
    }

    /** Disconnects and closes every client opened so far, as before a broker restart. */
    void closeAll() {
        for (MqttClient c : clients) {
            try {
                if (c.isConnected()) {
                    c.disconnect();
                }
                c.close();
            } catch (MqttException ignored) {
                // the test closed it already
            }
        }
        clients.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        closeAll();
    }
}
