package io.wharf.it.support;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Addresses of this host, for tests that need a client that is not on loopback. */
public final class LocalAddresses {

    private LocalAddresses() {
    }

    /**
     * An IPv4 address of an interface that is up and is not loopback: a connection from this host
     * to it comes from it, so the broker sees a client that is not local.
     */
    public static InetAddress nonLoopback() {
        try {
            return firstNonLoopback();
        } catch (SocketException e) {
            throw new UncheckedIOException("cannot list this host's network interfaces", e);
        }
    }

    private static InetAddress firstNonLoopback() throws SocketException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a;
                }
            }
        }
        throw new IllegalStateException("this host has no IPv4 address besides loopback: the test needs one");
    }
}
