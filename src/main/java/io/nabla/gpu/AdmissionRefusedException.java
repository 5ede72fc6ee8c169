package io.nabla.gpu;

import io.nabla.backend.OutOfDeviceMemoryException;

/**
 * A model load or job that cannot fit on its GPU, refused before it allocates anything (the service answers 507). The
 * figures are those admission compared.
 */
public class AdmissionRefusedException extends OutOfDeviceMemoryException {

    private final String owner;
    private final String device;
    private final long freeBytes;
    private final long cachedBytes;
    private final long promisedBytes;

    public AdmissionRefusedException(String owner, String device, long needed, long freeBytes, long cachedBytes,
            long promisedBytes) {
        super("cannot admit " + owner + " on " + device + ": it needs " + ByteFormat.of(needed) + ", the device has "
                + ByteFormat.of(freeBytes) + " free and " + ByteFormat.of(cachedBytes) + " cached"
                + (promisedBytes > 0 ? ", of which " + ByteFormat.of(promisedBytes) + " is promised to others" : ""),
                needed);
        this.owner = owner;
        this.device = device;
        this.freeBytes = freeBytes;
        this.cachedBytes = cachedBytes;
        this.promisedBytes = promisedBytes;
    }

    public String owner() {
        return owner;
    }

    public String device() {
        return device;
    }

    public long freeBytes() {
        return freeBytes;
    }

    public long cachedBytes() {
        return cachedBytes;
    }

    public long promisedBytes() {
        return promisedBytes;
    }
}
