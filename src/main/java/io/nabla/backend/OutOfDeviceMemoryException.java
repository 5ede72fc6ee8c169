package io.nabla.backend;

/** An allocation that the device could not satisfy; the message gives the request and the device's figures. */
public class OutOfDeviceMemoryException extends RuntimeException {

    private final long requestedBytes;

    public OutOfDeviceMemoryException(String message, long requestedBytes) {
        super(message);
        this.requestedBytes = requestedBytes;
    }

    public long requestedBytes() {
        return requestedBytes;
    }
}
