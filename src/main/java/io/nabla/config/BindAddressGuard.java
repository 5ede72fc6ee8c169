package io.nabla.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Refuses to start (before the port is bound) when {@code server.address} is not a loopback address and no API
 * tokens are configured. An absent address means every interface, so it is refused as well.
 */
@Component
public class BindAddressGuard {

    public BindAddressGuard(Environment environment, NablaProperties properties) {
        check(environment.getProperty("server.address"), properties.security().enabled());
    }

    /** Throws {@link InsecureBindingException} when {@code address} is reachable from outside and tokens are off. */
    public static void check(String address, boolean tokensConfigured) {
        if (tokensConfigured) {
            return;
        }
        if (address == null || address.isBlank()) {
            throw new InsecureBindingException("every network interface (server.address is not set)");
        }
        if (!isLoopback(address.trim())) {
            throw new InsecureBindingException(address.trim());
        }
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
