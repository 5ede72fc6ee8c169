package io.nabla.backend.cpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Per-thread direct buffers of {@link #BLOCK} elements that strided operands are gathered into (and strided outputs
 * computed in), so that the elementwise math always runs in unit-stride loops. Direct like tensor memory, so the
 * loops see one buffer class. Never used by two kernels of one thread at once (kernels do not nest).
 */
final class Scratch {

    /** Elements per gathered block. */
    static final int BLOCK = 4096;
    private static final int SLOTS = 3;
    private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

    private final FloatBuffer[] floats = new FloatBuffer[SLOTS];
    private final DoubleBuffer[] doubles = new DoubleBuffer[SLOTS];

    private Scratch() {
        ByteBuffer all = ByteBuffer.allocateDirect(SLOTS * BLOCK * Double.BYTES);
        for (int k = 0; k < SLOTS; k++) {
            int at = k * BLOCK * Double.BYTES;
            floats[k] = all.slice(at, BLOCK * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
            doubles[k] = all.slice(at, BLOCK * Double.BYTES).order(ByteOrder.nativeOrder()).asDoubleBuffer();
        }
    }

    static Scratch get() {
        return LOCAL.get();
    }

    /** Float slot {@code k} (0..2); shares its bytes with double slot {@code k}. */
    FloatBuffer floats(int k) {
        return floats[k];
    }

    DoubleBuffer doubles(int k) {
        return doubles[k];
    }
}
