package io.wharf.it.mqtt;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayList;
import java.util.List;

/**
 * The Eclipse Paho clients (v3 and v5) a test opened: disconnected and closed after each test, or
 * sooner with {@link #closeAll()}.
 */
final class PahoClients implements AfterEachCallback {

    /** Disconnects a client if it is connected, then closes it. */
    private interface Closing {
        void close() throws Exception;
    }

    private final List<Closing> clients = new ArrayList<>();

    /** Keeps {@code c} to close it after the test; returns it. */
    MqttClient add(MqttClient c) {
        clients.add(() -> {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        });
        return c;
    }

    /** Keeps the MQTT 5 client {@code c} to close it after the test; returns it. */
    org.eclipse.paho.mqttv5.client.MqttClient add(org.eclipse.paho.mqttv5.client.MqttClient c) {
        clients.add(() -> {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        });
        return c;
    }

    /** How many clients the test opened so far. */
    int count() {
        return clients.size();
    }

    /** Disconnects and closes every client opened so far, as before a broker restart. */
    void closeAll() {
        for (Closing c : clients) {
            try {
                c.close();
            } catch (Exception ignored) {
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
