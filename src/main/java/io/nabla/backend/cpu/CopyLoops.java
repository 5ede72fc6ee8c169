package io.nabla.backend.cpu;

import io.nabla.backend.DType;
import io.nabla.backend.HalfFloats;
import io.nabla.backend.Layout;
import io.nabla.backend.Memory;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Fast host copies and fills: bit copies between views of one dtype (bulk moves where both runs are dense),
 * FP32/FP64 conversions, FP16/BF16 to and from FP32/FP64, and fills of FP32/FP64 views; both cores for large
 * tensors. Every copy moves bits or rounds exactly as the reference loop does, so results are identical to it.
 */
final class CopyLoops {

    private static final long GRAIN = 1 << 16;

    private CopyLoops() {
    }

    /** Copies when a fast path applies; returns false to let the caller use the reference loop. */
    static boolean copy(Memory src, Layout sl, DType st, Memory dst, Layout dl, DType dt) {
        if (st == dt) {
            copySame(src, sl, dst, dl, st.itemSize());
            return true;
        }
        if (st == DType.FP32 && dt == DType.FP64) {
            FloatBuffer s = src.hostBuffer().asFloatBuffer();
            DoubleBuffer d = dst.hostBuffer().asDoubleBuffer();
            Runs r = Runs.of(dl.shape(), sl, dl);
            int ss = r.innerStride(0);
            int ds = r.innerStride(1);
            r.parallel(GRAIN, (o, n) -> {
                for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ss, b += ds) {
                    d.put(b, s.get(a));
                }
            });
            return true;
        }
        if (st == DType.FP64 && dt == DType.FP32) {
            DoubleBuffer s = src.hostBuffer().asDoubleBuffer();
            FloatBuffer d = dst.hostBuffer().asFloatBuffer();
            Runs r = Runs.of(dl.shape(), sl, dl);
            int ss = r.innerStride(0);
            int ds = r.innerStride(1);
            r.parallel(GRAIN, (o, n) -> {
                for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ss, b += ds) {
                    d.put(b, (float) s.get(a));
                }
            });
            return true;
        }
        if (isHalf(st) && (dt == DType.FP32 || dt == DType.FP64) || (st == DType.FP32 || st == DType.FP64)
                && isHalf(dt)) {
            convertHalf(src, sl, st, dst, dl, dt);
            return true;
        }
        return false;
    }

    private static boolean isHalf(DType t) {
        return t == DType.FP16 || t == DType.BF16;
    }

    /**
     * FP16/BF16 to FP32/FP64 (exact) and back (FP64 rounded to float first, then to the half type, as the reference
     * stores a double): mixed precision casts every weight and gradient this way each step. One loop per direction
     * and format, reading and writing by address (the buffers' per-element checks dominated).
     */
    private static void convertHalf(Memory src, Layout sl, DType st, Memory dst, Layout dl, DType dt) {
        long sa = src.address();
        long da = dst.address();
        Runs r = Runs.of(dl.shape(), sl, dl);
        int ss = r.innerStride(0);
        int ds = r.innerStride(1);
        boolean fromHalf = isHalf(st);
        boolean bf16 = (fromHalf ? st : dt) == DType.BF16;
        boolean wide = (fromHalf ? dt : st) == DType.FP64;
        r.parallel(GRAIN, (o, n) -> {
            if (fromHalf) {
                widen(sa, o[0], ss, da, o[1], ds, n, bf16, wide);
            } else {
                narrow(sa, o[0], ss, da, o[1], ds, n, bf16, wide);
            }
        });
    }

    /** n half values (FP16, or BF16) from element a of sa, every ss, to float (or double) at element b of da. */
    static void widen(long sa, int a, int ss, long da, int b, int ds, int n, boolean bf16, boolean wide) {
        for (int i = 0; i < n; i++, a += ss, b += ds) {
            short h = RawMemory.getShort(sa + ((long) a << 1));
            float v = bf16 ? HalfFloats.bf16ToFloat(h) : HalfFloats.halfToFloat(h);
            if (wide) {
                RawMemory.putDouble(da + ((long) b << 3), v);
            } else {
                RawMemory.putFloat(da + ((long) b << 2), v);
            }
        }
    }

    /** n float (or double) values from element a of sa, every ss, rounded to FP16 (or BF16) at element b of da. */
    static void narrow(long sa, int a, int ss, long da, int b, int ds, int n, boolean bf16, boolean wide) {
        for (int i = 0; i < n; i++, a += ss, b += ds) {
            float v = wide ? (float) RawMemory.getDouble(sa + ((long) a << 3))
                    : RawMemory.getFloat(sa + ((long) a << 2));
            RawMemory.putShort(da + ((long) b << 1), bf16 ? HalfFloats.floatToBf16(v) : HalfFloats.floatToHalf(v));
        }
    }

    private static void copySame(Memory src, Layout sl, Memory dst, Layout dl, int size) {
        ByteBuffer sb = src.hostBuffer();
        ByteBuffer db = dst.hostBuffer();
        Runs r = Runs.of(dl.shape(), sl, dl);
        int ss = r.innerStride(0);
        int ds = r.innerStride(1);
        r.parallel(GRAIN, (o, n) -> {
            if (ss == 1 && ds == 1) { // a dense run: one bulk move (byte offsets fit an int: blocks are < 2 GiB)
                db.put(o[1] * size, sb, o[0] * size, n * size);
                return;
            }
            if (size == 4 || size == 8) { // by address: the buffers' per-element checks dominated strided copies
                long sa = src.address();
                long da = dst.address();
                for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ss, b += ds) {
                    if (size == 4) {
                        RawMemory.putInt(da + ((long) b << 2), RawMemory.getInt(sa + ((long) a << 2)));
                    } else {
                        RawMemory.putLong(da + ((long) b << 3), RawMemory.getLong(sa + ((long) a << 3)));
                    }
                }
                return;
            }
            for (int i = 0, a = o[0], b = o[1]; i < n; i++, a += ss, b += ds) {
                copyElement(sb, a * size, db, b * size, size);
            }
        });
    }

    private static void copyElement(ByteBuffer s, int from, ByteBuffer d, int to, int size) {
        switch (size) {
            case 8 -> d.putLong(to, s.getLong(from));
            case 4 -> d.putInt(to, s.getInt(from));
            case 2 -> d.putShort(to, s.getShort(from));
            default -> d.put(to, s.get(from));
        }
    }

    /** Fills FP32/FP64 views; returns false for other dtypes. */
    static boolean fill(Memory dst, Layout l, DType dtype, double value) {
        if (value == 0 && Double.doubleToRawLongBits(value) == 0 && l.isContiguous()) {
            // +0.0 is all-zero bits in every dtype: one memset (zero_grad, fresh accumulators)
            long base = dst.address() + l.offset() * dtype.itemSize();
            long bytes = l.numel() * dtype.itemSize();
            dst.hostBuffer(); // fails on freed memory before anything is written
            Parallel.forChunks(bytes, 1 << 20, (c, s, e) -> RawMemory.zero(base + s, e - s));
            return true;
        }
        if (dtype == DType.FP32) {
            FloatBuffer d = dst.hostBuffer().asFloatBuffer();
            float v = (float) value;
            Runs r = Runs.of(l.shape(), l);
            int ds = r.innerStride(0);
            r.parallel(GRAIN, (o, n) -> {
                for (int i = 0, b = o[0]; i < n; i++, b += ds) {
                    d.put(b, v);
                }
            });
            return true;
        }
        if (dtype == DType.FP64) {
            DoubleBuffer d = dst.hostBuffer().asDoubleBuffer();
            Runs r = Runs.of(l.shape(), l);
            int ds = r.innerStride(0);
            r.parallel(GRAIN, (o, n) -> {
                for (int i = 0, b = o[0]; i < n; i++, b += ds) {
                    d.put(b, value);
                }
            });
            return true;
        }
        return false;
    }
}
