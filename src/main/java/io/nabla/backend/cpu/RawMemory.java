package io.nabla.backend.cpu;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Unchecked reads and writes of host memory by absolute address, for the inner loops of the fast kernels.
 * Measured on the development machine, an FP32 sum over off-heap memory runs about twice as fast this way as
 * through a direct {@code FloatBuffer}, because C2 packs the loads into vector instructions only without the
 * buffer's bounds checks. Callers take addresses from {@link io.nabla.backend.Memory#address()} (which refuses a
 * freed block) and stay inside layouts that the tensor layer has already checked against the storage.
 */
final class RawMemory {

    private static final Unsafe UNSAFE = load();

    private RawMemory() {
    }

    private static Unsafe load() {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final long FLOAT_BASE = UNSAFE.arrayBaseOffset(float[].class);
    /** Where a {@link java.nio.Buffer} keeps the address of its first element (direct buffers). */
    private static final long BUFFER_ADDRESS = bufferAddressOffset();

    private static long bufferAddressOffset() {
        try {
            return UNSAFE.objectFieldOffset(java.nio.Buffer.class.getDeclaredField("address"));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return -1;
        }
    }

    /** Whether {@link #address(java.nio.Buffer)} gives direct buffers' addresses on this JDK. */
    static boolean bufferAddresses() {
        return BUFFER_ADDRESS >= 0;
    }

    /** Whether the ranges of {@code bytes} bytes at {@code p} and at {@code q} share a byte. */
    static boolean overlaps(long p, long q, long bytes) {
        return p < q + bytes && q < p + bytes;
    }

    /**
     * The address of element 0 of a direct buffer (a slice's own start), or 0 when the buffer is not direct or the
     * JDK does not say. (The caller checks the byte order.)
     */
    static long address(java.nio.Buffer b) {
        if (BUFFER_ADDRESS < 0 || !b.isDirect()) {
            return 0;
        }
        return UNSAFE.getLong(b, BUFFER_ADDRESS);
    }

    /** Copies {@code n} floats from host memory into {@code dst[0..n)}. */
    static void copyToArray(long address, float[] dst, int n) {
        UNSAFE.copyMemory(null, address, dst, FLOAT_BASE, (long) n << 2);
    }

    /** Copies {@code src[0..n)} into host memory. */
    static void copyFromArray(float[] src, long address, int n) {
        UNSAFE.copyMemory(src, FLOAT_BASE, null, address, (long) n << 2);
    }

    /** Copies {@code bytes} bytes of host memory from {@code from} to {@code to} (the ranges may overlap). */
    static void copy(long from, long to, long bytes) {
        UNSAFE.copyMemory(null, from, null, to, bytes);
    }

    /** Sets {@code bytes} bytes of host memory to zero. */
    static void zero(long address, long bytes) {
        UNSAFE.setMemory(address, bytes, (byte) 0);
    }

    static float getFloat(long address) {
        return UNSAFE.getFloat(address);
    }

    static void putFloat(long address, float v) {
        UNSAFE.putFloat(address, v);
    }

    static short getShort(long address) {
        return UNSAFE.getShort(address);
    }

    static void putShort(long address, short v) {
        UNSAFE.putShort(address, v);
    }

    static int getInt(long address) {
        return UNSAFE.getInt(address);
    }

    static void putInt(long address, int v) {
        UNSAFE.putInt(address, v);
    }

    static long getLong(long address) {
        return UNSAFE.getLong(address);
    }

    static void putLong(long address, long v) {
        UNSAFE.putLong(address, v);
    }

    static double getDouble(long address) {
        return UNSAFE.getDouble(address);
    }

    static void putDouble(long address, double v) {
        UNSAFE.putDouble(address, v);
    }

    /** Element {@code index} of an FP32 ({@code f32}) or FP64 array at {@code base}, as a double. */
    static double load(boolean f32, long base, long index) {
        return f32 ? UNSAFE.getFloat(base + (index << 2)) : UNSAFE.getDouble(base + (index << 3));
    }

    /** Stores {@code v} (rounded to float when {@code f32}) as element {@code index} of the array at {@code base}. */
    static void store(boolean f32, long base, long index, double v) {
        if (f32) {
            UNSAFE.putFloat(base + (index << 2), (float) v);
        } else {
            UNSAFE.putDouble(base + (index << 3), v);
        }
    }
}
