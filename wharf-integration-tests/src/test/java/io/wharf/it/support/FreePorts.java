package io.wharf.it.support;

import java.io.IOException;
import java.net.ServerSocket;

/** Ports for listeners that must be known before they are bound (a cluster's member list, a child JVM's). */
public final class FreePorts {

    private FreePorts() {
    }

    /** A port free on this host now; nothing holds it for the caller. */
    public static int next() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
