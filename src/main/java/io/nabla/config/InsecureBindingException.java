package io.nabla.config;

/** Startup refused: the server would listen on a non-loopback address with no API tokens configured. */
public final class InsecureBindingException extends IllegalStateException {

    private final String address;

    public InsecureBindingException(String address) {
        super("refusing to listen on " + address + " without API tokens: set nabla.security.tokens, or bind to a"
                + " loopback address (server.address=127.0.0.1)");
        this.address = address;
    }

    public String address() {
        return address;
    }
}
