package io.nabla.gpu;

/** A GPU was asked for by name but cannot take work: it hit a sticky CUDA error (the service answers 503). */
public class DeviceUnavailableException extends RuntimeException {

    public DeviceUnavailableException(String message) {
        super(message);
    }
}
